"""Pages of work (DOMAIN.md R12, R13): a body's posts and who can hold them, my skills,
the coordinators' confirmations, unavailability, rotations (proposal with its
explanations and hand edits, then published), and the cooperative's teach/learn lists
with suggested pairs and training sessions. Thin: get the object through access.py,
call one service, show the result or the refusal with its status.

Who sees what (access.py): work is for the members of the body (and operators). A closed
body answers 404 to the others, an open one 403, as the API does."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from autogestion.cooperatives.rules import Kind
from autogestion.core import clock
from autogestion.core.errors import DomainError

from . import access, permissions, queries, services
from .forms import (
    AssignForm,
    EditPostForm,
    KnowledgeForm,
    PostForm,
    ProposeForm,
    ReassignForm,
    SkillsForm,
    TrainingForm,
    UnavailabilityForm,
)
from .models import RotationStatus


def _refused(request, exc: DomainError, title: str):
    return render(request, "core/error.html", {"title": title, "message": exc.message},
                  status=exc.status)


def _form_refusal(form, exc: DomainError) -> str:
    """Put the service's message next to its field when the form has it."""
    if exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    return exc.message


# Everything I do -------------------------------------------------------------------------

@login_required
def index(request):
    """The menu's "Work": my bodies with posts, my next days, my teach/learn lists."""
    bodies = queries.my_bodies_with_work(request.user)
    return render(request, "work/index.html", {
        "bodies": bodies,
        "cooperatives": [b for b in bodies if b.kind == Kind.COOPERATIVE],
        "my_days": queries.my_next_days(request.user)})


# A body's posts ---------------------------------------------------------------------------

def _home(request, body, post_form=None, status=200, error=None):
    organiser = permissions.can_organise_work(request.user, body)
    context = {"body": body, "page": queries.work_home(body, request.user),
               "can_organise": organiser, "error": error,
               "post_form": post_form or (PostForm() if organiser else None)}
    return render(request, "work/home.html", context, status=status)


@login_required
def work_home(request, slug):
    return _home(request, access.get_body_for(request.user, slug))


@login_required
@require_POST
def create_post(request, slug):
    body = access.get_body_for(
        request.user, slug, organise=_("Only the coordinators of %(body)s define its posts."))
    form = PostForm(request.POST)
    if not form.is_valid():
        return _home(request, body, form, 400, _("Check the form below."))
    data = form.cleaned_data
    try:
        post = services.create_post(actor=request.user, body=body, name=data["name"],
                                    description=data["description"], holders=data["holders"],
                                    capable_needed=data["capable_needed"],
                                    weekdays=data["weekdays"])
    except DomainError as exc:
        return _home(request, body, form, exc.status, _form_refusal(form, exc))
    messages.success(request, _("The post “%(post)s” is added.") % {"post": post.name})
    return redirect(reverse("work_home", args=[body.slug]) + "#posts")


@login_required
def edit_post(request, post_id):
    post = access.get_post_for(
        request.user, post_id, organise=_("Only the coordinators of %(body)s change its posts."))
    body = post.body
    if request.method != "POST":
        form = EditPostForm(initial={
            "name": post.name, "description": post.description, "holders": post.holders,
            "capable_needed": post.capable_needed, "weekdays": list(post.weekdays),
            "active": post.active})
        return render(request, "work/post_edit.html", {"body": body, "post": post,
                                                       "form": form})
    form = EditPostForm(request.POST)
    error, status = _("Check the form below."), 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_post(actor=request.user, post_id=post.pk, name=data["name"],
                                 description=data["description"], holders=data["holders"],
                                 capable_needed=data["capable_needed"],
                                 weekdays=data["weekdays"], active=data["active"])
        except DomainError as exc:
            error, status = _form_refusal(form, exc), exc.status
        else:
            messages.success(request, _("The post “%(post)s” is saved.")
                             % {"post": data["name"]})
            return redirect(reverse("work_home", args=[body.slug]) + "#posts")
    return render(request, "work/post_edit.html", {"body": body, "post": post, "form": form,
                                                   "error": error}, status=status)


# Skills -----------------------------------------------------------------------------------

@login_required
def my_skills(request, slug):
    body = access.get_body_for(request.user, slug)
    posts, mine, confirmed = queries.my_skills(body, request.user)
    context = {"body": body, "posts": posts, "confirmed": confirmed,
               "is_member": permissions.is_member(request.user, body)}
    if request.method != "POST":
        return render(request, "work/skills.html", context | {
            "form": SkillsForm(posts=posts, mine=mine)})
    form = SkillsForm(request.POST, posts=posts, mine=mine)
    if not form.is_valid():
        return render(request, "work/skills.html", context | {
            "form": form, "error": _("Check the form below.")}, status=400)
    try:
        changed = services.declare_skills(actor=request.user, body=body, levels=form.levels())
    except DomainError as exc:
        return render(request, "work/skills.html", context | {
            "form": form, "error": exc.message}, status=exc.status)
    messages.success(request, _("Your skills are saved (%(n)s changed).") % {"n": changed})
    return redirect("work_home", slug=body.slug)


@login_required
def confirm_list(request, slug):
    body = access.get_body_for(
        request.user, slug, organise=_("Only the coordinators of %(body)s confirm skills."))
    return render(request, "work/confirm.html", {"body": body,
                                                 "skills": queries.confirm_list(body)})


@login_required
@require_POST
def confirm_skill(request, skill_id):
    skill = access.get_skill_for(
        request.user, skill_id, organise=_("Only the coordinators of %(body)s confirm skills."))
    body = skill.post.body
    try:
        services.confirm_skill(actor=request.user, skill_id=skill.pk)
    except DomainError as exc:
        return _refused(request, exc, _("Skill not confirmed"))
    messages.success(request, _("%(name)s: “%(post)s” confirmed.")
                     % {"name": skill.person.public_name, "post": skill.post.name})
    return redirect("work_confirm", slug=body.slug)


# Unavailability -----------------------------------------------------------------------------

def _unavailability(request, body, form=None, status=200, error=None):
    organiser = permissions.can_organise_work(request.user, body)
    return render(request, "work/unavailability.html", {
        "body": body, "form": form or UnavailabilityForm(), "error": error,
        "mine": queries.unavailability_of(body, request.user, everyone=False),
        "everyone": queries.unavailability_of(body, request.user, everyone=True)
        if organiser else None}, status=status)


@login_required
def unavailability(request, slug):
    body = access.get_body_for(request.user, slug)
    if request.method != "POST":
        return _unavailability(request, body)
    form = UnavailabilityForm(request.POST)
    if not form.is_valid():
        return _unavailability(request, body, form, 400, _("Check the form below."))
    try:
        services.declare_unavailability(actor=request.user, body=body, **form.cleaned_data)
    except DomainError as exc:
        return _unavailability(request, body, form, exc.status, _form_refusal(form, exc))
    messages.success(request, _("Your unavailability is noted: the next rotations leave "
                                "you free those days."))
    return redirect("work_unavailability", slug=body.slug)


@login_required
@require_POST
def withdraw_unavailability(request, unavailability_id):
    found = access.get_unavailability_for(request.user, unavailability_id)
    try:
        services.withdraw_unavailability(actor=request.user, unavailability_id=found.pk)
    except DomainError as exc:
        return _refused(request, exc, _("Unavailability not withdrawn"))
    messages.success(request, _("Unavailability withdrawn."))
    return redirect("work_unavailability", slug=found.body.slug)


# Rotations ---------------------------------------------------------------------------------

def _rotations(request, body, form=None, status=200, error=None):
    organiser = permissions.can_organise_work(request.user, body)
    if form is None and organiser:
        form = ProposeForm(initial={"first_day": queries.next_monday()})
    return render(request, "work/rotations.html", {
        "body": body, "rotations": queries.rotations_of(body), "form": form,
        "can_organise": organiser, "error": error}, status=status)


@login_required
def rotations(request, slug):
    body = access.get_body_for(request.user, slug)
    if request.method != "POST":
        return _rotations(request, body)
    access.check_work(request.user, body, organise=_("Only the coordinators of %(body)s "
                                                     "propose its rotations."))
    form = ProposeForm(request.POST)
    if not form.is_valid():
        return _rotations(request, body, form, 400, _("Check the form below."))
    data = form.cleaned_data
    try:
        rotation = services.propose_rotation(
            actor=request.user, body=body, first_day=data["first_day"],
            last_day=data["last_day"] if data["period"] == "days" else None,
            period=data["period"] if data["period"] != "days" else None,
            max_streak=data["max_streak"])
    except DomainError as exc:
        return _rotations(request, body, form, exc.status, _form_refusal(form, exc))
    gaps = rotation.gaps.count()
    if gaps:
        messages.warning(request, _("Proposal ready, with %(n)s post-days left uncovered: "
                                    "see why below.") % {"n": gaps})
    else:
        messages.success(request, _("Proposal ready: every post is covered."))
    return redirect("work_rotation", rotation_id=rotation.pk)


def _rotation_page(request, rotation, status=200, error=None, assign_form=None):
    editable = (rotation.status == RotationStatus.DRAFT
                and permissions.can_organise_work(request.user, rotation.body))
    page = queries.rotation_page(rotation, with_members=editable)
    context = {"body": rotation.body, "rotation": rotation, "page": page,
               "editable": editable, "error": error}
    if editable:
        context["assign_form"] = assign_form or AssignForm(
            posts=[p for p in page.posts if p.active], members=page.members,
            initial={"day": rotation.first_day})
    return render(request, "work/rotation.html", context, status=status)


@login_required
def rotation(request, rotation_id):
    return _rotation_page(request, access.get_rotation_for(request.user, rotation_id))


def _edited(request, rotation, edit, done: str):
    for warning in edit.warnings:
        messages.warning(request, warning)
    messages.success(request, done)
    return redirect(reverse("work_rotation", args=[rotation.pk]) + "#grid")


def _adjusted(request, rotation_id):
    return access.get_rotation_for(request.user, rotation_id, organise=_(
        "Only the coordinators of %(body)s adjust its rotations."))


@login_required
@require_POST
def assign(request, rotation_id):
    rotation = _adjusted(request, rotation_id)
    page = queries.rotation_page(rotation, with_members=True, with_warnings=False)
    form = AssignForm(request.POST, posts=page.posts, members=page.members)
    if not form.is_valid():
        return _rotation_page(request, rotation, 400, _("Check the form below."), form)
    data = form.cleaned_data
    try:
        edit = services.assign_by_hand(actor=request.user, rotation_id=rotation.pk,
                                       day=data["day"], post_id=data["post"],
                                       person_id=data["person"], role=data["role"])
    except DomainError as exc:
        return _rotation_page(request, rotation, exc.status, _form_refusal(form, exc), form)
    return _edited(request, rotation, edit, _("Placed by hand."))


@login_required
@require_POST
def reassign(request, rotation_id, assignment_id):
    rotation = _adjusted(request, rotation_id)
    page = queries.rotation_page(rotation, with_members=True, with_warnings=False)
    form = ReassignForm(request.POST, members=page.members)
    if not form.is_valid():
        return _rotation_page(request, rotation, 400, _("Choose a member of %(body)s.")
                              % {"body": rotation.body.name})
    try:
        edit = services.reassign(actor=request.user, rotation_id=rotation.pk,
                                 assignment_id=assignment_id,
                                 person_id=form.cleaned_data["person"])
    except DomainError as exc:
        return _rotation_page(request, rotation, exc.status, exc.message)
    return _edited(request, rotation, edit, _("Replaced by hand."))


@login_required
@require_POST
def remove_assignment(request, rotation_id, assignment_id):
    rotation = _adjusted(request, rotation_id)
    try:
        edit = services.remove_assignment(actor=request.user, rotation_id=rotation.pk,
                                          assignment_id=assignment_id)
    except DomainError as exc:
        return _rotation_page(request, rotation, exc.status, exc.message)
    return _edited(request, rotation, edit, _("Removed: the place is left open."))


@login_required
@require_POST
def publish(request, rotation_id):
    rotation = access.get_rotation_for(request.user, rotation_id, organise=_(
        "Only the coordinators of %(body)s publish its rotations."))
    try:
        services.publish_rotation(actor=request.user, rotation_id=rotation.pk)
    except DomainError as exc:
        return _rotation_page(request, rotation, exc.status, exc.message)
    messages.success(request, _("The rotation is published: the members see it."))
    return redirect("work_rotation", rotation_id=rotation.pk)


@login_required
@require_POST
def discard(request, rotation_id):
    rotation = _adjusted(request, rotation_id)
    try:
        services.discard_rotation(actor=request.user, rotation_id=rotation.pk)
    except DomainError as exc:
        return _rotation_page(request, rotation, exc.status, exc.message)
    messages.success(request, _("The proposal is discarded."))
    return redirect("work_rotations", slug=rotation.body.slug)


# Teach and learn ------------------------------------------------------------------------------

def _learning(request, cooperative, status=200, error=None, knowledge_form=None,
              training_form=None):
    page = queries.learning_page(cooperative, request.user)
    return render(request, "work/learning.html", {
        "body": cooperative, "page": page, "error": error,
        "is_member": permissions.is_member(request.user, cooperative),
        "knowledge_form": knowledge_form or KnowledgeForm(posts=page.posts),
        "training_form": training_form or TrainingForm(choices=page.choices)},
        status=status)


@login_required
def learning(request, slug):
    # The teach/learn page is the cooperative's: a group's leads there.
    cooperative = access.get_cooperative_for(request.user, slug, from_group=True)
    if cooperative.slug != slug:
        return redirect("work_learning", slug=cooperative.slug)
    if request.method != "POST":
        return _learning(request, cooperative)
    page = queries.learning_page(cooperative, request.user)
    form = KnowledgeForm(request.POST, posts=page.posts)
    if not form.is_valid():
        return _learning(request, cooperative, 400, _("Check the form below."), form)
    data = form.cleaned_data
    try:
        services.add_knowledge(actor=request.user, cooperative=cooperative, kind=data["kind"],
                               post_id=data["post"], topic=data["topic"])
    except DomainError as exc:
        return _learning(request, cooperative, exc.status, _form_refusal(form, exc), form)
    messages.success(request, _("Added to your list."))
    return redirect(reverse("work_learning", args=[cooperative.slug]) + "#lists")


@login_required
@require_POST
def remove_knowledge(request, knowledge_id):
    line = access.get_knowledge_for(request.user, knowledge_id)
    try:
        services.remove_knowledge(actor=request.user, knowledge_id=line.pk)
    except DomainError as exc:
        return _refused(request, exc, _("Not removed"))
    messages.success(request, _("Removed from your list."))
    return redirect(reverse("work_learning", args=[line.cooperative.slug]) + "#lists")


@login_required
@require_POST
def schedule_training(request, slug):
    cooperative = access.get_cooperative_for(request.user, slug)
    page = queries.learning_page(cooperative, request.user)
    form = TrainingForm(request.POST, choices=page.choices)
    if not form.is_valid():
        return _learning(request, cooperative, 400, _("Check the form below."),
                         training_form=form)
    data = form.cleaned_data
    teacher, learner, subject = form.chosen_pair()
    kind, _sep, value = subject.partition(":")
    zone = clock.zone()
    try:
        services.schedule_training(
            actor=request.user, cooperative=cooperative, teacher_id=teacher,
            learner_id=learner,
            starts_at=datetime.combine(data["day"], data["starts"], tzinfo=zone),
            ends_at=datetime.combine(data["day"], data["ends"], tzinfo=zone),
            post_id=int(value) if kind == "post" else None,
            topic=page_topic(page, subject) if kind == "topic" else "",
            place=data["place"])
    except DomainError as exc:
        if exc.field in ("starts_at", "ends_at"):
            form.add_error("starts" if exc.field == "starts_at" else "ends", exc.message)
        return _learning(request, cooperative, exc.status, exc.message, training_form=form)
    messages.success(request, _("The session is on the calendar."))
    return redirect(reverse("work_learning", args=[cooperative.slug]) + "#sessions")


def page_topic(page, subject: str) -> str:
    return next((s.label for s in page.suggestions if s.subject == subject), subject[6:])


@login_required
@require_POST
def cancel_training(request, session_id):
    session = access.get_training_for(request.user, session_id)
    try:
        services.cancel_training(actor=request.user, session_id=session.pk)
    except DomainError as exc:
        return _refused(request, exc, _("Session not cancelled"))
    messages.success(request, _("The session is cancelled."))
    return redirect(reverse("work_learning", args=[session.cooperative.slug]) + "#sessions")
