-- nvim_hover_test.lua — run by tests/lsp_test.sh in a headless Neovim:
-- loads editors/nvim/strat.lua as a user would, opens $STRAT_FILE, waits
-- for the client to attach, asks for the hover at $STRAT_LINE:$STRAT_COL
-- (0-based) through the built-in client, and writes the hover's text to
-- $STRAT_OUT, its line breaks as " | ".
vim.g.strat_command = { os.getenv("STRAT_BIN"), "lsp" }
dofile(os.getenv("STRAT_ROOT") .. "/editors/nvim/strat.lua")
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("STRAT_FILE")))
local attached = vim.wait(30000, function()
  return next(vim.lsp.buf_get_clients(0)) ~= nil
end, 20)
local out = "no client attached within 30 s"
if attached then
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(),
    position = { line = tonumber(os.getenv("STRAT_LINE")),
                 character = tonumber(os.getenv("STRAT_COL")) },
  }
  local replies = vim.lsp.buf_request_sync(0, "textDocument/hover", params, 30000)
  out = "no hover"
  for _, r in pairs(replies or {}) do
    if r.result and r.result.contents then
      out = (r.result.contents.value or ""):gsub("\n+", " | ")
    elseif r.err then
      out = "error: " .. tostring(r.err.message)
    end
  end
end
vim.fn.writefile({ out }, os.getenv("STRAT_OUT"))
vim.cmd("qa!")
