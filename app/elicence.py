"""The national e-licence identifier (证照标识, GB/T 36904) of each registration certificate.

    1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check character>

The type code of this certificate (ELICENCE_TYPE_CODE, 11100000000013338W001) and the issuer's code
(ELICENCE_ISSUER_CODE: the authority's unified social credit code) come from the settings; the serial
is the certificate number without its province prefix (the prefix is the issuer's, already in the
issuer code), so it stays the same across reissues; the version is 001 at issue and one more at
every reissue; the check character is ISO 7064 MOD 37,36 (app/validators.py).
"""
import re

from flask import current_app

from app.validators import make_elicence_identifier

# what an approval reissues: the certificate's content changes, so its version goes up
REISSUED_BY = frozenset({"add_specialty", "renewal", "change_unit", "change_enterprise", "change_personal",
                         "lost_certificate", "cancel_specialty"})


def serial(registration):
    """The certificate number's letters and digits: 陕2202600000001 → 2202600000001."""
    return re.sub(r"[^0-9A-Z]", "", (registration.certificate_number or "").upper())


def identifier(registration, version=None):
    cfg = current_app.config
    return make_elicence_identifier(cfg["ELICENCE_TYPE_CODE"], cfg["ELICENCE_ISSUER_CODE"], serial(registration),
                                    version or registration.elicence_version or 1)


def issue(registration):
    """A new certificate: version 1. Needs the certificate number (after the flush that numbers it)."""
    registration.elicence_version = 1
    registration.elicence_id = identifier(registration, 1)


def reissue(registration):
    """The same certificate issued again with changed content (or in place of a lost copy)."""
    registration.elicence_version = (registration.elicence_version or 1) + 1
    registration.elicence_id = identifier(registration)


def ensure(registration):
    """The identifier of a registration issued before identifiers existed is given at its first use
    (version 1, or the version it has); True when it was assigned now (the caller commits)."""
    if registration.elicence_id:
        return False
    registration.elicence_id = identifier(registration)
    return True
