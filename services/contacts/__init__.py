"""Citizens as contacts: encrypted addresses, language and consent."""
