"""The review workflow: which step is allowed from which status, and why not otherwise.

draft ─submit─► submitted ─publish─► published ─withdraw─► withdrawn
  ▲                 │                    │                     │
  └──── returned ◄──┘ return             └─ edit: a new draft while the published version
        (edit, submit again)                stays visible, reviewed like the first one

Withdrawn actions can be edited into a new draft and published again.
"""

from enum import StrEnum

from htk_runtime.errors import DomainError


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Step(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    PUBLISH = "publish"
    WITHDRAW = "withdraw"
    CONFIRM = "confirm"


ALLOWED: dict[Step, frozenset[Status]] = {
    Step.EDIT: frozenset({Status.DRAFT, Status.RETURNED, Status.PUBLISHED, Status.WITHDRAWN}),
    Step.SUBMIT: frozenset({Status.DRAFT, Status.RETURNED}),
    Step.RETURN: frozenset({Status.SUBMITTED}),
    Step.PUBLISH: frozenset({Status.SUBMITTED}),
    Step.WITHDRAW: frozenset({Status.PUBLISHED, Status.DRAFT, Status.SUBMITTED, Status.RETURNED}),
    Step.CONFIRM: frozenset({Status.PUBLISHED, Status.DRAFT, Status.SUBMITTED, Status.RETURNED}),
}

REASONS: dict[tuple[Step, Status], str] = {
    (Step.EDIT, Status.SUBMITTED): "The action is waiting for review and cannot be edited now",
    (Step.SUBMIT, Status.SUBMITTED): "The action has already been submitted for review",
    (Step.SUBMIT, Status.PUBLISHED): "The action is published; edit it to submit a change",
    (Step.SUBMIT, Status.WITHDRAWN): "The action is withdrawn; edit it to submit it again",
    (Step.PUBLISH, Status.PUBLISHED): "The action is already published",
}


def check(step: Step, status: Status, *, has_public_version: bool) -> None:
    """Raise 409 with the reason when ``step`` is not allowed now."""
    allowed = status in ALLOWED[step]
    # Withdrawing and confirming concern the public version, whatever the working copy's status.
    if step in (Step.WITHDRAW, Step.CONFIRM) and not has_public_version:
        raise DomainError(409, "The action is not published, so there is nothing to " + step.value)
    if not allowed:
        reason = REASONS.get(
            (step, status), f"An action that is {status.value} cannot {step.value}"
        )
        raise DomainError(409, reason, field="status")


def after(step: Step, status: Status, *, review_required: bool) -> Status:
    match step:
        case Step.EDIT:
            return Status.DRAFT
        case Step.SUBMIT:
            return Status.SUBMITTED if review_required else Status.PUBLISHED
        case Step.RETURN:
            return Status.RETURNED
        case Step.PUBLISH:
            return Status.PUBLISHED
        case Step.WITHDRAW:
            return Status.WITHDRAWN
        case Step.CONFIRM:
            return status
