"""Filing a grievance (category → [location → placed?] → locality → description → confirm)
and tracking one; a resolved one its citizen may reopen ("not fixed", within the city's
window) or rate (1-5, an optional comment), as DIGIT's PGR does (REOPEN, RATE).

Where and what (a location, a photo) are asked where the channel can send them, and cannot be
skipped when the chosen category requires them; a required location is asked as a typed
landmark on channels without locations (SMS). A shared location is placed in a ward and
locality for the citizen to confirm instead of choosing from the list."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bots.engine import CANCEL, MENU_FLOW, static
from bots.flow import (
    AskMedia,
    AskText,
    Choose,
    Confirm,
    DateOf,
    Flow,
    FromSlot,
    Invoke,
    KeyOf,
    Label,
    Master,
    NamesOf,
    Say,
    Short,
    Slot,
)
from bots.prompts import Localized, Msg


def _point(slots: Mapping[str, Any]) -> bool:
    """Whether the citizen shared a location (not a typed landmark, not skipped)."""
    location = slots.get("location")
    return isinstance(location, Mapping) and "lat" in location


def _placed(slots: Mapping[str, Any]) -> bool:
    """Whether the shared location was placed in a ward and locality of the city."""
    return _point(slots) and bool((slots.get("placed") or {}).get("locality"))


def _unplaced(slots: Mapping[str, Any]) -> bool:
    """Whether a shared location fell outside every ward of a mapped city."""
    placed = slots.get("placed") or {}
    return _point(slots) and bool(placed.get("mapped")) and not placed.get("ward")


def _choose_locality(slots: Mapping[str, Any]) -> bool:
    """The list is shown unless the citizen confirmed where their location was placed."""
    return not (_placed(slots) and slots.get("placed_ok") == "yes")


def _logging_in(slots: Mapping[str, Any]) -> bool:
    """Whether the filing waits for a platform login code (it was not filed at once)."""
    return "filed" not in slots


FILING = {"category": Slot("category"), "locality": Slot("locality"),
          "description": Slot("description"), "location": Slot("location"),
          "photo": Slot("photo"), "recording": Slot("recording")}
"""What a filing sends the registry (a caller's recorded description is its evidence)."""

FILE_GRIEVANCE = Flow("grievance", (
    Choose("category", "grievance.ask_category", Master("categories"), fuzzy=True),
    # Where the channel can share a location, it is asked first and placed in a ward and
    # locality (services/places/locate.py) for the citizen to confirm instead of the list.
    AskMedia("location", "grievance.ask_location", "location", required_by="category",
             required_prompt="grievance.ask_location", text_prompt="grievance.ask_landmark",
             reason="grievance.location_needed"),
    Invoke("placed", "places.locate", {"location": Slot("location")}, when=_point),
    Say("unplaced", "grievance.not_placed", when=_unplaced),
    Confirm("placed_ok", "grievance.confirm_place", {
        "locality": NamesOf(Slot("placed.locality_names")),
        "ward": NamesOf(Slot("placed.ward_names")),
    }, no_label="grievance.choose_from_list", no_goes_on=True,
        on_yes={"locality": Slot("placed.locality")}, when=_placed),
    Choose("locality", "grievance.ask_locality", Master("localities"), fuzzy=True,
           when=_choose_locality),
    AskText("description", "grievance.ask_description", min_length=10,
            too_short="grievance.description_too_short", media_slot="recording"),
    AskMedia("photo", "grievance.ask_photo", "photo", required_by="category",
             required_prompt="grievance.ask_photo_required", reason="grievance.photo_needed"),
    # "No" asks which answer to change and asks only that again; a long description is
    # echoed shortened where length costs money (SMS).
    Confirm("confirm", "grievance.confirm", {
        "category": Label("categories", "category"),
        "locality": Label("localities", "locality"),
        "description": Short(Slot("description")),
    }, change=static(("category", "grievance.change_category"),
                     ("locality", "grievance.change_locality"),
                     ("description", "grievance.change_description"),
                     (CANCEL, "grievance.change_cancel")),
        change_prompt="grievance.change_which"),
    # A platform holding the city's grievances (DIGIT) may want its login code first, or be
    # down (the grievance is kept and filed later).
    Invoke("filed", "grievance.file", FILING,
           errors={"platform_login_required": ("platform.login_needed", "otp"),
                   "platform_queued": ("grievance.queued", None),
                   "platform_unavailable": ("error.platform_down", None)}),
    Say("done", "grievance.filed", {"id": Slot("filed.id"), "due": DateOf(Slot("filed.due"))}),
    # Only after `platform_login_required` (a platform such as DIGIT texted a login code):
    # the code, then the same filing with it.
    AskText("otp", "platform.ask_otp", min_length=4, max_length=12, when=_logging_in),
    Invoke("verified", "grievance.file_verified", {**FILING, "otp": Slot("otp")},
           when=_logging_in,
           errors={"otp_invalid": ("platform.otp_invalid", "otp"),
                   "platform_login_required": ("platform.login_needed", "otp"),
                   "platform_queued": ("grievance.queued", None),
                   "platform_unavailable": ("error.platform_down", None)}),
    Say("verified_done", "grievance.filed", {"id": Slot("verified.id"),
                                             "due": DateOf(Slot("verified.due"))},
        when=_logging_in),
))


def _item(item: Mapping[str, Any]) -> Msg:
    """One of the citizen's grievances as an option label."""
    return Msg("track.item", {
        "id": str(item["id"]),
        "category": Localized(dict(item["category_names"])),
        "status": Msg("status." + str(item["status"])),
    })


def _status(slots: Mapping[str, Any]) -> Mapping[str, Any]:
    """The status the service gave (empty before it answered)."""
    found = slots.get("status")
    return found if isinstance(found, Mapping) else {}


def _public(slots: Mapping[str, Any]) -> bool:
    """Whether the status shown is the public view of someone else's grievance."""
    return bool(_status(slots).get("public"))


FEEDBACK = {"reopen": Msg("track.reopen"), "rate": Msg("track.rate"), "done": Msg("track.done")}
"""Labels of what the citizen may do about a resolution (the `feedback` of the status)."""


def _feedback(item: Mapping[str, Any]) -> Msg:
    """One thing to do about a resolution, as an option label (an unknown one: the menu's)."""
    return FEEDBACK.get(str(item["id"]), FEEDBACK["done"])


def _chose(choice: str) -> Callable[[Mapping[str, Any]], bool]:
    """A guard: the citizen chose this about the resolution."""
    return lambda slots: slots.get("feedback") == choice


TRACK_GRIEVANCE = Flow("track", (
    Invoke("mine", "grievance.mine"),
    Choose("grievance", "track.ask", FromSlot("mine.items", "id", _item), free_text=True,
           empty_prompt="track.ask_id"),
    Invoke("status", "grievance.status", {"id": Slot("grievance")},
           errors={"not_found": ("track.not_found", "grievance")}),
    Say("shown", "track.status", {
        "id": Slot("status.id"),
        "category": NamesOf(Slot("status.category_names")),
        "status": KeyOf("status.", Slot("status.status")),
        "updated": DateOf(Slot("status.updated_at")),
        "due": DateOf(Slot("status.due")),
    }, when=lambda slots: not _public(slots)),
    # Someone else's grievance, where the city makes category and status public.
    Say("shown_public", "track.public", {
        "id": Slot("status.id"),
        "category": NamesOf(Slot("status.category_names")),
        "status": KeyOf("status.", Slot("status.status")),
    }, when=_public),
    Say("note", "notify.office_note", {"note": Slot("status.note")},
        when=lambda slots: bool((slots.get("status") or {}).get("note"))),
    Say("standard_note", "notify.standard_note",
        {"note": KeyOf("note.", Slot("status.note_name"))},
        when=lambda slots: bool(_status(slots).get("note_name"))),
    # A resolved grievance of the citizen's own: "not fixed — reopen", "rate", or done.
    Choose("feedback", "track.feedback", FromSlot("status.feedback", "id", _feedback),
           goto={"done": MENU_FLOW}, when=lambda slots: bool(_status(slots).get("feedback"))),
    AskText("reason", "reopen.ask_reason", min_length=3, when=_chose("reopen")),
    Invoke("reopened", "grievance.reopen", {"id": Slot("status.id"), "reason": Slot("reason")},
           errors={"reopen_window_closed": ("reopen.window_closed", None),
                   "invalid_transition": ("reopen.not_resolved", None)},
           when=_chose("reopen")),
    Say("reopened_done", "reopen.done", {"id": Slot("reopened.id")}, when=_chose("reopen")),
    Choose("stars", "rate.ask", static(("1", "rate.1"), ("2", "rate.2"), ("3", "rate.3"),
                                       ("4", "rate.4"), ("5", "rate.5")),
           unpaged=True, when=_chose("rate")),
    Choose("comment", "rate.ask_comment", static(("skip", "common.skip")), free_text=True,
           when=_chose("rate")),
    Invoke("rated", "grievance.rate", {"id": Slot("status.id"), "stars": Slot("stars"),
                                       "comment": Slot("comment")},
           errors={"already_rated": ("rate.already", None),
                   "invalid_transition": ("reopen.not_resolved", None)},
           when=_chose("rate")),
    Say("rated_done", "rate.thanks", when=_chose("rate")),
))
