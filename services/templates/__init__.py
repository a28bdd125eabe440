"""Provider-registered message templates (TRAI DLT content templates, WhatsApp templates).

A template is registered per tenant (a state's row applies to its cities, a city's row overrides
it), channel type, reply key (the catalog message ids of the reply joined with `+`), language and
number of numbered options. Delivery resolves one before sending on channels that need it and
refuses a message whose text would not match (operators drop mismatches without telling anyone).
"""
