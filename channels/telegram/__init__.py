"""Telegram bots (Bot API): webhook updates in, messages with inline keyboards out, via PTB."""
