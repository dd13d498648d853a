"""Drive `assistant chat` in a real terminal (pexpect) through a three-turn conversation."""

import os
import sys

import pexpect
import pytest

from tinycorpus import write_tiny

pytestmark = pytest.mark.real_model


def test_three_turn_conversation_with_follow_ups(tmp_path):
    corpus = write_tiny(tmp_path / "corpus", summary_encoding="utf-8")
    env = dict(os.environ, ASSISTANT_HOME=str(tmp_path / "home"), ASSISTANT_CORPUS=str(corpus),
               COLUMNS="200", TERM="dumb", NO_COLOR="1")
    env.pop("ASSISTANT_EMBEDDING_MODEL", None)
    child = pexpect.spawn(sys.executable, ["-m", "assistant.cli", "chat"], env=env, encoding="utf-8",
                          timeout=120, dimensions=(50, 200))
    try:
        child.expect("/quit to leave")
        child.expect("> ")
        child.sendline("A2保障机制组要准备哪些材料?")
        child.expect("> ")
        first = child.before
        assert "2.A2保障机制组" in first and "工资花名册" in first and "绩效工资" not in first

        child.sendline("那A3组呢?")
        child.expect("> ")
        second = child.before
        assert "A3组要准备哪些材料?" in second  # how the follow-up was read
        assert "绩效工资实施方案" in second and "工资花名册" not in second

        child.sendline("who leads it?")
        child.expect("> ")
        third = child.before
        assert "赵三" in third and third.count("From ") + third.count("According to ") == 1

        child.sendline("/sources")
        child.expect("> ")
        assert "plan.txt:" in child.before
        child.sendline("/quit")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
