"""Voice calls (IVR) on the gateway side: replies logged per call, clips for prompts, answers.

`calls` keeps a call's replies in the message log (replayed for retried webhooks, served in
turn to providers that fetch prompts separately), `clips` gives adapters the URLs of audio
clips (rendered on demand), and `answer` turns a synchronous channel's webhook into a turn of
the conversation whose replies go back in the HTTP response.
"""
