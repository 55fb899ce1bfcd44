"""The national e-licence identifier (证照标识, GB/T 36904) of the registration certificate."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import effects
from app.extensions import db
from app.validators import (
    MSG_ELICENCE_CHECK, MSG_ELICENCE_FORMAT, Invalid, check_elicence_identifier, elicence_identifier_error,
    is_valid_elicence_identifier, make_elicence_identifier,
)
from models import Person, Registration

# Identifiers published in public source code of provincial e-licence integrations: the first two as
# the example the national standard for the 建筑施工企业安全生产管理人员考核合格证书 e-licence gives in its
# appendix A.2 (quoted in an integration's field documentation, versions 001 and 002 of one certificate),
# the others as identifiers of issued licences in integration code and file names.
PUBLISHED = [
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.002.S",
    "1.2.156.3005.2.11100000000013338W087.11370800MB28559184.37080001202411010001.001.3",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
    "1.2.156.3005.2.11100000MB03271699022.340100.000000016.001.9",
]


def mod_37_36_by_hand(text):
    """ISO 7064 MOD 37,36 (hybrid system) written out from the standard, apart from the library:
    p = M; for each character: s = (p mod (M+1)) + value, s' = s mod M (M when 0), p = 2 s' ;
    the check value makes (p mod (M+1)) + check ≡ 1 (mod M)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    m, p = 36, 36
    for char in text:
        s = (p % (m + 1)) + alphabet.index(char)
        s = s % m or m
        p = 2 * s
    return alphabet[(m + 1 - p % (m + 1)) % m]


@pytest.mark.parametrize("identifier", PUBLISHED)
def test_published_identifiers_are_valid(identifier):
    assert elicence_identifier_error(identifier) is None
    fields = check_elicence_identifier(identifier)
    assert make_elicence_identifier(*fields[:4]) == identifier  # made again from its fields, the same
    assert mod_37_36_by_hand("".join(fields[:3]) + f"{fields.version:03d}") == fields.check


@pytest.mark.parametrize("identifier", PUBLISHED)
def test_a_wrong_check_character_is_refused(identifier):
    body, check = identifier[:-1], identifier[-1]
    for wrong in "0AZ7":
        if wrong != check:
            assert elicence_identifier_error(body + wrong) == MSG_ELICENCE_CHECK
            assert not is_valid_elicence_identifier(body + wrong)
            with pytest.raises(Invalid):
                check_elicence_identifier(body + wrong)


def test_a_miscopied_field_is_caught_by_the_check_character():
    identifier = PUBLISHED[0]
    swapped = identifier.replace("20230000403", "20230000430")  # two digits of the serial swapped
    assert elicence_identifier_error(swapped) == MSG_ELICENCE_CHECK
    changed = identifier.replace(".001.", ".003.")
    assert elicence_identifier_error(changed) == MSG_ELICENCE_CHECK


@pytest.mark.parametrize("text", ["", None, 42, "1.2.156.3005.2.11100000000013338W011", "2.16.156.1.2.3.001.U",
                                  PUBLISHED[0].lower(), PUBLISHED[0].replace(".001.", ".1."),
                                  "1.2.156.3005.2.11100000000013661B006.113700000045046442.x.001.M"])
def test_malformed_identifiers_are_refused_with_the_expected_form(text):
    assert elicence_identifier_error(text) in (MSG_ELICENCE_FORMAT, "证照标识不能为空")
    assert not is_valid_elicence_identifier(text)


def test_an_identifier_made_here_checks_by_hand_too():
    made = make_elicence_identifier("11100000000013338W001", "11610000DEM000000T", "2202600000001", 1)
    assert made == "1.2.156.3005.2.11100000000013338W001.11610000DEM000000T.2202600000001.001." \
        + mod_37_36_by_hand("11100000000013338W00111610000DEM000000T2202600000001001")
    with pytest.raises(Invalid):
        make_elicence_identifier("11100000000013338W001", "陕西", "1", 1)


def _registration(name):
    return db.session.scalars(select(Registration).join(Registration.person).where(Person.name == name)).one()


def _approve(business_type, registration):
    """What the center's approval of a filing of this type does to the registration."""
    effects.apply(SimpleNamespace(business_type=business_type, registration=registration, specialties=[],
                                  enterprise=registration.enterprise),
                  SimpleNamespace(role="center", target="approved"))


def test_each_certificate_is_issued_with_version_one_and_a_reissue_raises_it(demo, app):
    with app.app_context():
        registration = _registration("李秀英")
        first = registration.elicence_id
        fields = check_elicence_identifier(first)
        assert (fields.type_code, fields.issuer_code, fields.version) == (
            "11100000000013338W001", app.config["ELICENCE_ISSUER_CODE"], 1)
        assert fields.serial == registration.certificate_number[1:]  # the number without its province prefix
        assert (registration.seal_reissue, registration.seal_status) == (0, "valid")
        _approve("lost_certificate", registration)
        assert check_elicence_identifier(registration.elicence_id).version == 2
        assert registration.elicence_id[:-6] == first[:-6] and registration.seal_reissue == 1
        _approve("change_unit", registration)
        assert check_elicence_identifier(registration.elicence_id).version == 3 and registration.seal_reissue == 1
        _approve("cancel", registration)
        assert registration.seal_status == "void" and registration.elicence_version == 3
        db.session.rollback()


def test_the_certificate_and_its_page_show_the_identifier(demo, client_as, query):
    from tests.test_certificates import pdf_text, registration_of

    pk = registration_of(query, "李秀英")
    identifier = query(lambda s: s.get(Registration, pk).elicence_id)
    client = client_as("app2")
    assert identifier in client.get(f"/applicantregistrationview/show/{pk}").get_data(as_text=True)
    assert identifier in pdf_text(client.get(f"/applicantregistrationview/{pk}/certificate.pdf").data)


def test_a_registration_issued_before_identifiers_gets_one_at_its_first_use(demo, app, client_as, query):
    from tests.test_certificates import registration_of

    pk = registration_of(query, "李秀英")
    with app.app_context():
        db.session.get(Registration, pk).elicence_id = None
        db.session.commit()
        db.session.remove()
    assert client_as("app2").get(f"/applicantregistrationview/{pk}/certificate.pdf").status_code == 200
    assert is_valid_elicence_identifier(query(lambda s: s.get(Registration, pk).elicence_id))
