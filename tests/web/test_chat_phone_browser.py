"""The web chat on a phone (360 CSS pixels wide): what a citizen must copy stays whole."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from services.grievances.models import Grievance
from tests.web.conftest import PHONE, Chat

pytestmark = pytest.mark.browser

NUMBER = re.compile(r"PB-AMR-\d{4}-\d{6}")
# The distinct line tops of the first grievance number in a bubble's text.
NUMBER_LINES = r"""node => {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  const pattern = /PB-AMR-\d{4}-\d{6}/;
  let text = "", nodes = [];
  while (walker.nextNode()) { nodes.push([walker.currentNode, text.length]);
                              text += walker.currentNode.data; }
  const match = pattern.exec(text);
  if (!match) return null;
  const at = (offset) => {
    for (let i = nodes.length - 1; i >= 0; i--)
      if (nodes[i][1] <= offset) return [nodes[i][0], offset - nodes[i][1]];
  };
  const range = document.createRange();
  range.setStart(...at(match.index));
  const [end, last] = at(match.index + match[0].length - 1);
  range.setEnd(end, last + 1);
  return new Set([...range.getClientRects()].filter(r => r.width > 0)
                 .map(r => Math.round(r.top))).size;
}"""


def file_in_english(chat: Chat) -> str:
    """English, garbage category, the first locality, a description, yes: the filed message."""
    chat.open()
    chat.click(chat.button("English"))
    chat.click(chat.option("grievance"))
    chat.click(chat.active.first)
    while chat.option("yes").count() == 0:
        ask = chat.bot.last
        if ask.locator("button.choice:enabled").count():
            chat.click(chat.option("skip") if chat.option("skip").count() else chat.active.first)
        else:
            chat.say("Garbage not collected for three days near the temple gate")
    filed = chat.click(chat.option("yes"))
    expect(filed).to_contain_text(NUMBER)
    return filed.inner_text()


def test_the_grievance_number_stays_on_one_line_and_copies_whole(chat: Chat) -> None:
    """At 360 px the number is never split across lines; one tap on "copy" copies it all."""
    chat.viewport = PHONE
    chat.permissions = ["clipboard-read", "clipboard-write"]
    text = file_in_english(chat)
    number = NUMBER.search(text)
    assert number is not None
    filed = chat.bot.last
    assert filed.locator(".text").evaluate(NUMBER_LINES) == 1
    # Wherever the number falls in a line (other languages, other cities' longer texts), it
    # moves to the next line whole: narrow the bubble step by step and look again.
    for width in range(200, 330, 5):
        filed.locator(".bubble").evaluate(f"node => node.style.maxWidth = '{width}px'")
        assert filed.locator(".text").evaluate(NUMBER_LINES) == 1, width
    filed.locator(".bubble").evaluate("node => node.style.maxWidth = ''")
    ref = filed.locator(".ref")
    expect(ref).to_have_text(number[0])
    assert ref.evaluate("node => getComputedStyle(node).userSelect") == "all"
    filed.locator("button.copy").click()
    expect(filed.locator("button.copy")).to_have_text("Copied")
    assert chat.page.evaluate("navigator.clipboard.readText()") == number[0]
    assert chat.gateway.count(Grievance) == 1
    chat.screenshot("grievance-number-phone")
