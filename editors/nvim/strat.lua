-- strat.lua — Neovim's built-in LSP client for Strat (`strat lsp`).
--
-- Copy it to ~/.config/nvim/plugin/strat.lua (or :luafile it).  Opening a
-- .strat file starts the server, one per project root: the nearest
-- directory above the file holding .git, else the file's own directory.
-- Diagnostics show as you type (vim.diagnostic); :lua vim.lsp.buf.format()
-- formats (Neovim 0.8; vim.lsp.buf.formatting() on 0.7); the outline is
-- vim.lsp.buf.document_symbol().
-- vim.g.strat_command overrides the command, e.g. { "/opt/strat/bin/strat", "lsp" }.
-- Works with Neovim 0.7 (vim.lsp.start_client) and later (vim.lsp.start).

vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  pattern = "*.strat",
  command = "setfiletype strat",
})

local function project_root(file)
  local dir = vim.fn.fnamemodify(file, ":p:h")
  local d = dir
  while d and d ~= "" do
    if vim.loop.fs_stat(d .. "/.git") then
      return d
    end
    local up = vim.fn.fnamemodify(d, ":h")
    if up == d then
      break
    end
    d = up
  end
  return dir
end

local clients = {} -- root -> client id (Neovim 0.7)

vim.api.nvim_create_autocmd("FileType", {
  pattern = "strat",
  callback = function(args)
    local root = project_root(vim.api.nvim_buf_get_name(args.buf))
    local config = {
      name = "strat",
      cmd = vim.g.strat_command or { "strat", "lsp" },
      root_dir = root,
    }
    if vim.lsp.start then
      vim.lsp.start(config, { bufnr = args.buf })
      return
    end
    local id = clients[root]
    if not id or not vim.lsp.get_client_by_id(id) then
      id = vim.lsp.start_client(config)
      clients[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
