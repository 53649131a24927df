"""Records management: how long case files are kept and how they are
destroyed (retention), and what the product hands an employee who asks for
their personal data (subject access).

It sits above the case engine, the panel stage and the reactions, because
destroying a case file and gathering a person's data both reach into all of
them; only the doors (web, API, operations) sit above it.
"""
