"""Runs a command on a fresh pseudo-terminal (ECHO on, as a login terminal has it) for the CLI tests.

usage: pty-run.py ANSWERS_JSON COMMAND [ARGS...]
ANSWERS_JSON is a list of {"prompt": ..., "type": ...}: each answer is typed once its prompt has
appeared in the output after the previous one. Prints everything the terminal showed (typed keys
too, if the program left echo on) and exits with the command's exit code.
"""
import json
import os
import pty
import select
import sys
import time

answers = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])

output = b""
searched_from = 0
deadline = time.time() + 60
while time.time() < deadline:
    if answers:
        prompt = answers[0]["prompt"].encode()
        at = output.find(prompt, searched_from)
        if at >= 0:
            searched_from = at + len(prompt)
            os.write(fd, answers.pop(0)["type"].encode())
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:  # EIO: the child closed the terminal
        break
    if not data:
        break
    output += data

_, status = os.waitpid(pid, 0)
sys.stdout.write(output.decode("utf8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
