#!/usr/bin/env bash
# Prints the interpreter the venv is built with: Python 3.13 where present,
# else 3.12. The Lambda runtime is the Python that runs `chalice package`,
# and Lambda no longer accepts new python3.11 functions.
set -u
for v in 3.13 3.12; do
  if command -v "python$v" >/dev/null 2>&1 && "python$v" -c 'import sys' >/dev/null 2>&1; then
    command -v "python$v"; exit 0
  fi
  # pyenv keeps versions it does not put on PATH by default.
  if command -v pyenv >/dev/null 2>&1; then
    for p in "$(pyenv root)"/versions/"$v".*/bin/python"$v"; do
      if [ -x "$p" ]; then echo "$p"; exit 0; fi
    done
  fi
done
echo "Python 3.13 or 3.12 is needed (the Lambda runtime); install one and retry." >&2
exit 1
