"""The one base of every refusal that carries a reason for the user.

str() is the reason in the user's language (rendered when read, so a lazy text follows the
request's locale); `problems` holds the detailed reasons where there are several (a list, or
{form field: reason}); `help` names a help section of the page the reason is shown on. Pages and
the API catch Refused to show the reason instead of failing.
"""


class Refused(Exception):
    def __init__(self, message, problems=(), help=None):
        super().__init__(str(message))
        self.message = message
        self.problems = problems
        self.help = help

    def __str__(self):
        return str(self.message)
