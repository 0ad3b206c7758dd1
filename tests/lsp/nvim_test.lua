-- nvim_test.lua — run by tests/lsp_test.sh in a headless Neovim: loads
-- editors/nvim/strat.lua as a user would, opens $STRAT_FILE, waits for
-- its diagnostics (vim.diagnostic.get) and writes them to $STRAT_OUT,
-- one a line: line:col-line:col severity code message (0-based, as
-- Neovim keeps them).
vim.g.strat_command = { os.getenv("STRAT_BIN"), "lsp" }
dofile(os.getenv("STRAT_ROOT") .. "/editors/nvim/strat.lua")
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("STRAT_FILE")))
local got = vim.wait(30000, function()
  return #vim.diagnostic.get(0) > 0
end, 20)
local lines = {}
if not got then
  table.insert(lines, "no diagnostics within 30 s")
end
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "-"
  local sev = ({ "error", "warning", "info", "hint" })[d.severity] or "?"
  table.insert(lines, string.format("%d:%d-%d:%d %s %s %s", d.lnum, d.col, d.end_lnum,
    d.end_col, sev, code, (d.message:gsub("\n", " | "))))
end
vim.fn.writefile(lines, os.getenv("STRAT_OUT"))
vim.cmd("qa!")
