"""twisted.web.xmlrpc, imported without its import-time DeprecationWarning.

The simulator serves XML-RPC with its ``XMLRPC`` resource, which is fine; but the module also defines
the old client on ``twisted.web.http.HTTPClient`` (deprecated since Twisted 24.7), so importing it warns.
The one warning is silenced here, narrowly, rather than for the whole test suite.
"""

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"twisted\.web\.http\.HTTPClient was deprecated",
                            category=DeprecationWarning)
    from twisted.web.xmlrpc import XMLRPC, NoSuchFunction

__all__ = ["XMLRPC", "NoSuchFunction"]
