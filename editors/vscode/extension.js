// extension.js — starts `strat lsp`, the Strat language server, for .strat
// files: diagnostics as you type, formatting (Format Document), and the
// outline.  Needs the vscode-languageclient package (`npm install` in this
// folder) and strat on the PATH, or the setting strat.path.
"use strict";
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("strat");
  if (!config.get("server.enable", true)) {
    return;
  }
  // stdio: transport left unset, so the command runs as written
  const serverOptions = {
    command: config.get("path") || "strat",
    args: ["lsp"],
  };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "strat" },
      { scheme: "untitled", language: "strat" },
    ],
  };
  client = new LanguageClient("strat", "Strat", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => (client ? client.stop() : undefined) });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
