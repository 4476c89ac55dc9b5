class DomainError(Exception):
    """A refusal a person should read: the message is Chinese and says what to do."""


class AlreadyDecided(DomainError):
    pass
