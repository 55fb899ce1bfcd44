"""Domain models, one module per aggregate. All share FAB's declarative metadata."""
from models.reference import Specialty  # noqa: F401
from models.enterprises import Enterprise, EnterpriseAccount  # noqa: F401
from models.people import Person, Qualification  # noqa: F401
from models.registrations import Registration, RegistrationSpecialty, registration_specialty  # noqa: F401
from models.applications import Application, Review, application_specialty  # noqa: F401
from models.directory import DirectorySyncRun, EnterpriseNameHistory  # noqa: F401
from models.checks import OutsideCheck  # noqa: F401
from models.attachments import Attachment  # noqa: F401
from models.sms import SmsCode, SmsMessage  # noqa: F401
from models.messages import Message  # noqa: F401
from models.notices import RenewalReminder, Urge  # noqa: F401
from models.procedure import Announcement, NoticeFiling  # noqa: F401
from models.audit import SecurityLog, SecurityLogHead  # noqa: F401
from models.accounts import AccountSessions, PasswordHistory, SigninLock, StaffAccount  # noqa: F401
from models.credit import CreditRecord  # noqa: F401
from models.exchange import ElicenceEvent, ExchangeCheckpoint, ExchangeRun  # noqa: F401
from models.jobs import Job  # noqa: F401
from models.supervision import CommitmentCheck, CommitmentDraw, SupervisionRecord, UnlockRequest  # noqa: F401
from models.campaigns import Campaign, CampaignReview, CampaignTarget  # noqa: F401
