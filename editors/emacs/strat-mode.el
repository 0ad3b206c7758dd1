;;; strat-mode.el --- Major mode for Strat strategy files -*- lexical-binding: t; -*-

;; Keywords: languages
;; Version: 0.1
;; Package-Requires: ((emacs "25.1"))

;; This file is not part of GNU Emacs.

;;; Commentary:

;; A major mode for `.strat' files: IT service strategy as code.
;;
;; - font-lock for declarations, block keywords, clauses, word operators,
;;   constants, portfolio decisions, built-in functions, numbers (420k,
;;   1.2M, 30%, 1_000), ISO dates, strings with escapes and # comments;
;; - indentation by brace depth (`strat-indent-offset', 2 by default), plus
;;   one level for the body of a declaration whose `=' ends the line;
;; - M-x compile runs "strat check FILE", and its GCC-style diagnostics
;;   (file:line:col: error|warning|note: message) are clickable.
;;
;; Install: put this file on `load-path' and add
;;
;;   (autoload 'strat-mode "strat-mode" nil t)
;;   (add-to-list 'auto-mode-alist '("\\.strat\\'" . strat-mode))
;;
;; or just (require 'strat-mode).
;;
;; The keyword lists below are checked against grammar/strat.l by
;; tests/editors_test.sh.

;;; Code:

(require 'compile)

(defgroup strat nil
  "Major mode for Strat strategy files."
  :group 'languages
  :prefix "strat-")

(defcustom strat-indent-offset 2
  "Number of columns for each level of indentation in Strat files."
  :type 'integer
  :safe #'integerp
  :group 'strat)

(defcustom strat-command "strat"
  "The strat program used by `compile-command' in Strat buffers."
  :type 'string
  :safe #'stringp
  :group 'strat)

(defface strat-escape-face
  '((t :inherit font-lock-regexp-grouping-backslash))
  "Face for escape sequences in Strat strings."
  :group 'strat)

;;;; Keywords

(defconst strat-declaration-keywords
  '("import" "strategy" "role" "team" "customer" "objective" "service"
    "offering" "value_stream" "appetite" "lint" "report" "schema" "score" "rule" "decide"
    "approval" "scenario" "load" "waiver" "limit" "test" "const")
  "Strat keywords that begin a declaration.")

(defconst strat-block-keywords
  '("risk" "stage")
  "Strat keywords that begin a block inside a declaration.")

(defconst strat-clause-keywords
  '("when" "because" "otherwise" "rank" "by" "asc" "desc" "where" "for"
    "from" "set" "expect" "required" "if" "then" "else" "all" "any" "let")
  "Strat keywords of clauses, conditionals and quantifiers.")

(defconst strat-operator-keywords
  '("and" "or" "not" "in")
  "Strat word operators.")

(defconst strat-constant-keywords
  '("true" "false" "none")
  "Strat constants.")

(defconst strat-decision-words
  '("invest" "enhance" "migrate" "retire" "experiment" "tolerate")
  "Strat portfolio decisions.")

(defconst strat-builtin-functions
  '("alignment" "exposure" "norm" "min" "max" "clamp" "abs" "log" "sqrt"
    "pow" "round" "floor" "ceil" "trunc" "mod" "contains" "starts_with" "ends_with" "lower" "today" "allocated_cost" "charge" "forecast" "defined" "count" "sum" "decision")
  "Strat built-in functions.")

(defconst strat-severity-words
  '("error" "warning" "info")
  "Strat rule severities.")

(defconst strat--named-declarations
  '("role" "team" "customer" "objective" "service" "offering"
    "value_stream" "approval" "scenario" "waiver" "limit" "test" "const"
    "risk" "stage")
  "Strat keywords followed by the name of what they declare.")

(defconst strat--identifier "[A-Za-z_][A-Za-z0-9_]*"
  "Regexp matching a Strat identifier.")

(defconst strat--number-regexp
  (concat "\\_<[0-9][0-9_]*\\(?:\\.[0-9][0-9_]*\\)?"
          "\\(?:[eE][-+]?[0-9]+\\)?"
          "\\(?:[kMB]\\_>\\|%\\|\\_>\\)")
  "Regexp matching a Strat number: 42, 1_000, 4.2M, 420k, 30%, 1e-3.")

(defconst strat--date-regexp
  "\\_<[0-9]\\{4\\}-[0-9]\\{2\\}-[0-9]\\{2\\}\\_>"
  "Regexp matching an ISO date.")

(defun strat--match-escape (limit)
  "Search for a string escape before LIMIT, for font-lock."
  (let (found)
    (while (and (not found)
                (re-search-forward
                 "\\\\\\(?:u{[0-9A-Fa-f]\\{1,6\\}}\\|[\\\\\"ntr]\\)" limit t))
      (when (nth 3 (save-excursion (syntax-ppss (match-beginning 0))))
        (setq found t)))
    found))

(defconst strat-font-lock-keywords
  `(;; The name a declaration or block introduces.
    (,(concat "^\\s-*\\_<\\(score\\|rule\\)\\_>\\s-+\\("
              strat--identifier "\\)")
     (2 font-lock-function-name-face))
    (,(concat "^\\s-*" (regexp-opt strat--named-declarations 'symbols)
              "\\s-+\\(" strat--identifier "\\)")
     (2 font-lock-variable-name-face))
    ;; rule NAME (error|warning|info)
    (,(concat "^\\s-*\\_<rule\\_>\\s-+" strat--identifier "\\s-*(\\s-*"
              (regexp-opt strat-severity-words 'symbols))
     (1 font-lock-type-face))
    (,(regexp-opt strat-declaration-keywords 'symbols) . font-lock-keyword-face)
    (,(regexp-opt strat-block-keywords 'symbols) . font-lock-keyword-face)
    (,(regexp-opt strat-clause-keywords 'symbols) . font-lock-keyword-face)
    (,(regexp-opt strat-operator-keywords 'symbols) . font-lock-keyword-face)
    (,(regexp-opt strat-constant-keywords 'symbols) . font-lock-constant-face)
    (,(regexp-opt strat-decision-words 'symbols) . font-lock-type-face)
    (,(concat (regexp-opt strat-builtin-functions 'symbols) "\\s-*(")
     (1 font-lock-builtin-face))
    ("\\_<decision\\_>" . font-lock-builtin-face)
    (,strat--date-regexp . font-lock-constant-face)
    (,strat--number-regexp . font-lock-constant-face)
    (strat--match-escape (0 'strat-escape-face prepend)))
  "Font-lock keywords for `strat-mode'.")

;;;; Syntax

(defvar strat-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?# "<" table)
    (modify-syntax-entry ?\n ">" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?\\ "\\" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?' "." table)
    (modify-syntax-entry ?% "." table)
    (modify-syntax-entry ?. "." table)
    (modify-syntax-entry ?: "." table)
    (modify-syntax-entry ?, "." table)
    (modify-syntax-entry ?= "." table)
    (modify-syntax-entry ?< "." table)
    (modify-syntax-entry ?> "." table)
    (modify-syntax-entry ?! "." table)
    (modify-syntax-entry ?+ "." table)
    (modify-syntax-entry ?- "." table)
    (modify-syntax-entry ?* "." table)
    (modify-syntax-entry ?/ "." table)
    (modify-syntax-entry ?\{ "(}" table)
    (modify-syntax-entry ?\} "){" table)
    (modify-syntax-entry ?\[ "(]" table)
    (modify-syntax-entry ?\] ")[" table)
    (modify-syntax-entry ?\( "()" table)
    (modify-syntax-entry ?\) ")(" table)
    table)
  "Syntax table for `strat-mode'.")

;;;; Indentation

(defun strat--code-line-end-p (regexp)
  "Non-nil if the current line's code, before any comment, ends in REGEXP."
  (save-excursion
    (end-of-line)
    (let ((ppss (syntax-ppss)))
      (when (nth 4 ppss)
        (goto-char (nth 8 ppss))))
    (skip-chars-backward " \t")
    (and (not (nth 3 (syntax-ppss)))
         (looking-back regexp (line-beginning-position)))))

(defun strat--previous-code-line ()
  "Move to the previous line holding code; return nil at the buffer start."
  (let (found)
    (while (and (not found) (zerop (forward-line -1)))
      (back-to-indentation)
      (unless (or (eolp) (nth 4 (syntax-ppss)) (looking-at-p "#"))
        (setq found t)))
    found))

(defun strat--continued-line-p ()
  "Non-nil if the line before point's line ends a declaration head with `='."
  (save-excursion
    (and (strat--previous-code-line)
         (strat--code-line-end-p "\\(?:^\\|[^=!<>]\\)="))))

(defun strat--indent-column ()
  "The column the current line should be indented to."
  (save-excursion
    (back-to-indentation)
    (let* ((closer (looking-at-p "[]})]"))
           ;; syntax-ppss moves point to its argument
           (ppss (save-excursion (syntax-ppss (line-beginning-position))))
           (depth (car ppss))
           (column (* strat-indent-offset
                      (max 0 (- depth (if closer 1 0))))))
      (cond
       ((nth 3 ppss) (current-indentation))   ; inside a multi-line string
       ((and (not closer) (strat--continued-line-p))
        (+ column strat-indent-offset))
       (t column)))))

(defun strat-indent-line ()
  "Indent the current line of Strat code by brace depth."
  (interactive)
  (let ((column (strat--indent-column))
        (offset (- (current-column) (current-indentation))))
    (indent-line-to column)
    (when (> offset 0)
      (forward-char offset))))

;;;; Compilation

(defconst strat-compilation-regexp
  (concat "^\\([^ \t\n:][^\t\n:]*\\):\\([0-9]+\\):\\([0-9]+\\): "
          "\\(?:error\\|\\(warning\\)\\|\\(note\\|info\\)\\):")
  "Regexp matching a strat diagnostic: file:line:col: severity: message.")

(add-to-list 'compilation-error-regexp-alist-alist
             `(strat ,strat-compilation-regexp 1 2 3 (4 . 5)))
(add-to-list 'compilation-error-regexp-alist 'strat)

(defun strat--compile-command ()
  "The default `compile-command' for the current buffer."
  (concat strat-command " check "
          (if buffer-file-name
              (shell-quote-argument (file-name-nondirectory buffer-file-name))
            ".")))

;;;; Mode

;;;###autoload
(define-derived-mode strat-mode prog-mode "Strat"
  "Major mode for editing Strat strategy files.

\\{strat-mode-map}"
  :group 'strat
  :syntax-table strat-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "#+[ \t]*")
  (setq-local font-lock-defaults '(strat-font-lock-keywords))
  (setq-local indent-line-function #'strat-indent-line)
  (setq-local indent-tabs-mode nil)
  (setq-local electric-indent-chars
              (append "{}[]()" electric-indent-chars))
  (setq-local compile-command (strat--compile-command)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.strat\\'" . strat-mode))

(provide 'strat-mode)

;;; strat-mode.el ends here
