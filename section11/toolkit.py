"""The portal's Section 11 self-assessment toolkit: nine areas, their criteria,
guidance on what good looks like, and the evidence that shows it.

Standard codes are stable across framework versions so that years compare.
"""

from __future__ import annotations

from typing import TypedDict


class CriterionText(TypedDict):
    code: str  # "1.1", "1.2", ... area number then criterion number
    text: str  # the question/statement the agency rates, one or two sentences
    guidance: str  # what Green looks like, and what would make it Amber or Red; 60-120 words
    evidence_hint: str  # concrete documents or data that evidence it; 15-40 words


class AreaText(TypedDict):
    code: str  # stable slug, e.g. "leadership", "safe-recruitment"
    title: str  # e.g. "Leadership", "Accountability and governance"
    description: str  # one or two sentences on what the area covers
    criteria: list[CriterionText]


INTRODUCTION: str = (
    "Section 11 of the Children Act 2004 asks your agency to make sure that everything it does "
    "is done with regard to the need to safeguard children and promote their welfare. This "
    "self-assessment shows how you meet that duty and where you need to improve. "
    "For each criterion, read the guidance and rate your agency honestly: Green if you are fully "
    "compliant, Amber if you are partially compliant and action is needed, Red if you are not "
    "compliant, or N/A if the criterion does not apply to your agency, with a short reason. "
    "Every Amber or Red rating needs an action, saying what will be done, who owns it and when "
    "it is due, before you can submit. Upload your evidence to the return rather than emailing "
    "it. Your draft saves as you type, so you can return to it at any time before the closing "
    "date."
)


SECTION_11_TOOLKIT: list[AreaText] = [
    {
        "code": "leadership",
        "title": "Leadership",
        "description": (
            "How your senior leaders and board take responsibility for safeguarding, make sure it "
            "is planned and paid for, and set the tone for the whole agency."
        ),
        "criteria": [
            {
                "code": "1.1",
                "text": (
                    "Your agency has a named senior lead for safeguarding children, and a member "
                    "of your board or governing body is accountable for safeguarding."
                ),
                "guidance": (
                    "Green means a named senior manager leads on safeguarding, with the time, "
                    "authority and access to the chief officer needed to do the job, and a named "
                    "board member (or equivalent) holds the agency to account. Staff know who "
                    "these people are, and the roles are written into job descriptions and terms "
                    "of reference. Rate Amber if the roles exist but are vacant, shared without "
                    "clear cover, or not widely known. Rate Red if there is no senior lead, or "
                    "if safeguarding has no clear home at board level."
                ),
                "evidence_hint": (
                    "Job description of the senior lead; board or governing body terms of "
                    "reference; organisational chart showing safeguarding roles; staff intranet "
                    "page naming the leads."
                ),
            },
            {
                "code": "1.2",
                "text": (
                    "Safeguarding children is built into your agency's strategic plans, "
                    "priorities and budgets."
                ),
                "guidance": (
                    "Green means your business or strategic plan names safeguarding as a "
                    "priority, with clear objectives, and your budget setting protects the "
                    "resources it needs, such as safeguarding posts, training and specialist "
                    "advice. When services change or savings are made, the effect on children "
                    "is assessed before decisions are taken. Rate Amber if safeguarding appears "
                    "in plans but without measurable objectives or protected resources. Rate Red "
                    "if safeguarding is missing from strategic plans, or if changes to services "
                    "are made without considering the impact on children."
                ),
                "evidence_hint": (
                    "Current strategic or business plan; budget papers showing safeguarding "
                    "resources; impact assessments for service changes; board minutes where "
                    "these were agreed."
                ),
            },
            {
                "code": "1.3",
                "text": (
                    "Your board or governing body receives regular reports on safeguarding and "
                    "uses them to challenge and improve practice."
                ),
                "guidance": (
                    "Green means the board receives at least an annual safeguarding report, "
                    "plus regular updates on key data such as training compliance, referrals, "
                    "audit findings and allegations against staff. Minutes show board members "
                    "asking questions, agreeing actions and checking that they are done. "
                    "Risks to children appear on your risk register where relevant. Rate Amber "
                    "if reports are received but rarely lead to discussion or action, or are "
                    "irregular. Rate Red if the board receives no safeguarding reporting at all."
                ),
                "evidence_hint": (
                    "Annual safeguarding report; board minutes and action logs; safeguarding "
                    "performance dashboard; corporate risk register entries relating to "
                    "safeguarding children."
                ),
            },
            {
                "code": "1.4",
                "text": (
                    "Your agency is represented at the right level in the safeguarding "
                    "partnership's meetings and acts on the partnership's priorities."
                ),
                "guidance": (
                    "Green means someone with enough seniority to make decisions for your agency "
                    "attends the partnership groups you are asked to join, attends reliably or "
                    "sends a briefed deputy, and reports back internally. The partnership's "
                    "priorities and business plan are reflected in your own plans, and you "
                    "respond to partnership requests, such as audits and data returns, on time. "
                    "Rate Amber if attendance is patchy or partnership messages do not reach "
                    "your staff. Rate Red if your agency does not take part in partnership "
                    "arrangements."
                ),
                "evidence_hint": (
                    "Partnership meeting attendance records; internal briefings or reports "
                    "after partnership meetings; your plan showing partnership priorities; "
                    "record of timely audit and data returns."
                ),
            },
        ],
    },
    {
        "code": "commitment",
        "title": "Commitment",
        "description": (
            "Whether your agency has a clear, current safeguarding policy that staff know and "
            "use, and whether children and families understand what you will do to keep "
            "children safe."
        ),
        "criteria": [
            {
                "code": "2.1",
                "text": (
                    "Your agency has a current safeguarding children policy and procedures that "
                    "match the partnership's multi-agency safeguarding procedures."
                ),
                "guidance": (
                    "Green means your policy has been reviewed within the last year or at the "
                    "date it set, is approved by senior leaders, and points staff to the "
                    "partnership's multi-agency procedures and threshold guidance rather than "
                    "contradicting them. It says what staff must do when they are worried about "
                    "a child, who to contact and how to record it. Rate Amber if the policy is "
                    "out of date, has gaps, or refers to old procedures or contact details. Rate "
                    "Red if there is no safeguarding children policy."
                ),
                "evidence_hint": (
                    "Safeguarding children policy and procedures with approval and review "
                    "dates; document control sheet; links to the partnership's multi-agency "
                    "procedures and threshold guidance."
                ),
            },
            {
                "code": "2.2",
                "text": (
                    "All staff and volunteers know their own safeguarding responsibilities, how "
                    "to raise a concern about a child, and where to get advice."
                ),
                "guidance": (
                    "Green means everyone, including part-time, agency and bank staff, can "
                    "explain what they would do if worried about a child, knows who your "
                    "safeguarding lead or advisers are, and can find the policy easily. Advice "
                    "is available when staff need it, including out of hours where your "
                    "services run then. Rate Amber if awareness is good in some teams but weak "
                    "in others, or if advice is hard to reach. Rate Red if staff are unsure what "
                    "to do or who to tell."
                ),
                "evidence_hint": (
                    "Staff survey or spot-check results; intranet or noticeboard information "
                    "on who to contact; safeguarding advice line logs; induction checklist "
                    "signed by new starters."
                ),
            },
            {
                "code": "2.3",
                "text": (
                    "Children, young people and families can find clear information about your "
                    "agency's commitment to keeping children safe, in a form they can "
                    "understand."
                ),
                "guidance": (
                    "Green means you publish a short, plain statement of what you do to keep "
                    "children safe and what happens if you are worried about a child. It is "
                    "available where families use your services, online and in formats that "
                    "suit different ages, languages and needs, including for disabled children. "
                    "Families are told how information about them may be shared. Rate Amber if "
                    "information exists but is hard to find, out of date or only in one format. "
                    "Rate Red if families are given no information about your safeguarding "
                    "responsibilities."
                ),
                "evidence_hint": (
                    "Public safeguarding statement; leaflets, posters or web pages for children "
                    "and families; easy-read or translated versions; privacy notices explaining "
                    "information sharing."
                ),
            },
        ],
    },
    {
        "code": "accountability-governance",
        "title": "Accountability and governance",
        "description": (
            "Clear lines of responsibility for safeguarding at every level, and routes for "
            "children, families and staff to complain or raise concerns and be taken seriously."
        ),
        "criteria": [
            {
                "code": "3.1",
                "text": (
                    "Safeguarding responsibilities are clear at every level of your agency and "
                    "are written into job descriptions and contracts."
                ),
                "guidance": (
                    "Green means every job description includes a safeguarding responsibility "
                    "suited to the role, and managers know they are accountable for safe "
                    "practice in their teams. There is a clear route from front-line staff, "
                    "through managers and the safeguarding lead, to the board. Rate Amber if "
                    "older job descriptions have not been updated, or if accountability is "
                    "unclear in some services. Rate Red if safeguarding responsibilities are "
                    "not written down for most roles."
                ),
                "evidence_hint": (
                    "Sample job descriptions from different grades; standard contract or "
                    "person specification wording; safeguarding governance structure chart; "
                    "management responsibilities in your safeguarding policy."
                ),
            },
            {
                "code": "3.2",
                "text": (
                    "Your agency collects and reviews safeguarding performance information so "
                    "that leaders know how well children are being protected."
                ),
                "guidance": (
                    "Green means you have an agreed set of safeguarding measures, such as "
                    "referrals made, attendance at child protection meetings, training and "
                    "supervision compliance, and allegations against staff. These are reported "
                    "to a named group on a set timetable, trends are discussed, and action is "
                    "taken when figures fall short. Rate Amber if data is collected but not "
                    "regularly reviewed, or covers only part of your services. Rate Red if you "
                    "do not collect any safeguarding performance information."
                ),
                "evidence_hint": (
                    "Safeguarding performance report or dashboard; minutes of the group that "
                    "reviews it; examples of action taken in response to the data."
                ),
            },
            {
                "code": "3.3",
                "text": (
                    "Children, young people and families can make a complaint, and complaints "
                    "that raise safeguarding concerns are recognised and acted on."
                ),
                "guidance": (
                    "Green means your complaints process is easy to find and use, including for "
                    "children, and families can get help to complain. Complaints are screened "
                    "for safeguarding issues, and any concern about a child is passed at once to "
                    "your safeguarding lead rather than waiting for the complaints timetable. "
                    "Themes from complaints are reviewed for learning. Rate Amber if the process "
                    "is not child-friendly or complaints are not screened for safeguarding. Rate "
                    "Red if there is no complaints route families can use."
                ),
                "evidence_hint": (
                    "Complaints policy with safeguarding screening step; child-friendly "
                    "complaints information; complaints log showing safeguarding flags; annual "
                    "complaints report with themes and learning."
                ),
            },
            {
                "code": "3.4",
                "text": (
                    "Staff and volunteers can raise concerns about poor or unsafe practice "
                    "through a whistleblowing procedure, without fear of reprisal."
                ),
                "guidance": (
                    "Green means you have a current whistleblowing policy that staff know "
                    "about, which names people inside the agency to go to and explains outside "
                    "routes, such as regulators or the NSPCC whistleblowing advice line. "
                    "Concerns are logged, investigated and fed back to the person who raised "
                    "them where possible, and staff are protected from blame. Rate Amber if the "
                    "policy exists but staff are unaware of it or doubt it would be used fairly. "
                    "Rate Red if there is no whistleblowing procedure."
                ),
                "evidence_hint": (
                    "Whistleblowing policy with review date; staff awareness material; "
                    "anonymised log of concerns raised and outcomes; staff survey results on "
                    "confidence to speak up."
                ),
            },
        ],
    },
    {
        "code": "service-development",
        "title": "Service development and review",
        "description": (
            "How the views of children and families, learning from reviews and your own audits "
            "shape and improve your services."
        ),
        "criteria": [
            {
                "code": "4.1",
                "text": (
                    "Your agency listens to children and young people, and what they tell you "
                    "shapes how your services are planned, delivered and reviewed."
                ),
                "guidance": (
                    "Green means you gather children's views in ways that suit their age and "
                    "needs, such as feedback forms, participation groups or conversations during "
                    "contact, and you can show changes made as a result ('you said, we did'). "
                    "Practitioners record what individual children say, and what daily life is "
                    "like for them, in case records. Rate Amber if views are collected but "
                    "rarely lead to change, or come only from some groups. Rate Red if you have "
                    "no way of hearing from children."
                ),
                "evidence_hint": (
                    "Participation or engagement strategy; feedback summaries; 'you said, we "
                    "did' examples; audit findings on recording the child's voice in case "
                    "records; minutes of youth forums."
                ),
            },
            {
                "code": "4.2",
                "text": (
                    "Your agency learns from child safeguarding practice reviews, rapid reviews, "
                    "partnership audits and serious incidents, and can show what has changed."
                ),
                "guidance": (
                    "Green means recommendations from local and national case reviews and "
                    "partnership audits that apply to you are logged, given an owner and "
                    "tracked until done. Learning is shared with staff through briefings, "
                    "training and supervision, and you check later that practice has actually "
                    "changed. You take part fully when asked to contribute to a review. Rate "
                    "Amber if learning is shared but you cannot show its effect, or actions are "
                    "overdue. Rate Red if there is no system for acting on review findings."
                ),
                "evidence_hint": (
                    "Learning or recommendations tracker; short learning briefings or staff "
                    "bulletins; training updated after reviews; follow-up audit showing practice "
                    "change; review contribution records."
                ),
            },
            {
                "code": "4.3",
                "text": (
                    "Your agency runs a planned programme of single-agency safeguarding audits "
                    "and acts on what they find."
                ),
                "guidance": (
                    "Green means you have a yearly audit plan covering key safeguarding practice, "
                    "such as record keeping, referrals and the voice of the child. Audits use a "
                    "clear tool, findings are reported to leaders, actions are tracked, and "
                    "re-audits show whether things improved. Results feed into partnership "
                    "audits when asked. Rate Amber if audits happen but are ad hoc, or actions "
                    "are not followed up. Rate Red if you carry out no safeguarding audit "
                    "activity."
                ),
                "evidence_hint": (
                    "Annual audit plan; completed audit tools and reports; action plans with "
                    "progress updates; re-audit results; minutes where findings were reported "
                    "to leaders."
                ),
            },
        ],
    },
    {
        "code": "training",
        "title": "Training",
        "description": (
            "Whether staff and volunteers get the safeguarding training their role needs, when "
            "they need it, and whether it makes a difference to practice."
        ),
        "criteria": [
            {
                "code": "5.1",
                "text": (
                    "Your agency has a safeguarding training needs analysis that sets out the "
                    "level of training each role needs."
                ),
                "guidance": (
                    "Green means every role is mapped to a level of safeguarding training, from "
                    "basic awareness for all staff to advanced training for those who work "
                    "closely with children and families or lead on safeguarding. The analysis "
                    "follows partnership, professional or national guidance for your sector and "
                    "is reviewed at least every two years or when roles change. Rate Amber if "
                    "the analysis is out of date or misses some staff groups. Rate Red if there "
                    "is no training needs analysis."
                ),
                "evidence_hint": (
                    "Training needs analysis or training matrix with review date; training "
                    "strategy; mapping of job roles to training levels; reference to sector "
                    "guidance used."
                ),
            },
            {
                "code": "5.2",
                "text": (
                    "All new staff and volunteers receive safeguarding training as part of "
                    "their induction, before or soon after they start work."
                ),
                "guidance": (
                    "Green means induction covers your safeguarding policy, how to recognise "
                    "and report concerns, who to contact, and the standards of behaviour "
                    "expected of staff. It is completed within a set time, recorded, and "
                    "checked by managers, and it includes temporary, agency and bank staff and "
                    "volunteers. Rate Amber if induction is completed late or inconsistently "
                    "across services. Rate Red if new starters can begin work with children or "
                    "families without any safeguarding induction."
                ),
                "evidence_hint": (
                    "Induction programme and checklist; induction completion figures with "
                    "timescales; training records for a sample of recent starters, including "
                    "temporary staff and volunteers."
                ),
            },
            {
                "code": "5.3",
                "text": (
                    "Staff complete refresher safeguarding training at the right level and at "
                    "the right intervals, including multi-agency training where their role "
                    "needs it."
                ),
                "guidance": (
                    "Green means staff meet your agreed target (often 90 per cent or more) for "
                    "being up to date with the level of training their role needs, records are "
                    "accurate, and managers follow up anyone overdue. Staff in roles that involve "
                    "working with other agencies attend the partnership's multi-agency training. "
                    "Training covers local priorities and current issues, such as exploitation or "
                    "neglect. Rate Amber if compliance is below your target or records are "
                    "unreliable. Rate Red if most staff are out of date or you cannot say who has "
                    "been trained."
                ),
                "evidence_hint": (
                    "Training compliance report by level and team; action taken on overdue "
                    "staff; multi-agency training attendance; course content showing local "
                    "priorities."
                ),
            },
            {
                "code": "5.4",
                "text": (
                    "Your agency evaluates safeguarding training to check that it improves "
                    "practice and outcomes for children, not just attendance."
                ),
                "guidance": (
                    "Green means you go beyond feedback forms: you check with staff and "
                    "managers some weeks after training whether practice has changed, and you "
                    "use audits, supervision and case findings to test this. What you learn is "
                    "used to improve the training. Rate Amber if evaluation stops at "
                    "end-of-course satisfaction, or is done for some courses only. Rate Red if "
                    "training is never evaluated."
                ),
                "evidence_hint": (
                    "Training evaluation summaries; follow-up surveys after three to six months; "
                    "audit findings linked to training; examples of courses changed after "
                    "evaluation."
                ),
            },
        ],
    },
    {
        "code": "supervision",
        "title": "Supervision",
        "description": (
            "How staff working with children and families are supported and challenged through "
            "regular, recorded and reflective supervision, and how concerns are escalated."
        ),
        "criteria": [
            {
                "code": "6.1",
                "text": (
                    "Your agency has a supervision policy that sets out who receives "
                    "safeguarding supervision, how often, and how it is recorded."
                ),
                "guidance": (
                    "Green means the policy says which roles need safeguarding supervision, the "
                    "minimum frequency for each, and how discussions and decisions are recorded, "
                    "both in supervision notes and on the child's record. You monitor whether "
                    "supervision happens as planned and act when it does not. Rate Amber if the "
                    "policy is out of date, frequency is not met in some teams, or recording is "
                    "inconsistent. Rate Red if there is no supervision policy for staff who "
                    "work with children and families."
                ),
                "evidence_hint": (
                    "Supervision policy with review date; supervision compliance figures by "
                    "team; supervision record template; audit of supervision records; sample "
                    "of decisions recorded on case files."
                ),
            },
            {
                "code": "6.2",
                "text": (
                    "Supervision is reflective: it gives staff time to think about the child's "
                    "experience, test their judgement and consider their own wellbeing."
                ),
                "guidance": (
                    "Green means supervisors are trained, and supervision goes beyond checking "
                    "tasks. It helps staff step back, consider what life is like for the child, "
                    "challenge assumptions, and notice the emotional impact of the work. Group "
                    "or peer supervision is available where it suits the service. Rate Amber if "
                    "supervision is mostly about caseload management, or supervisors have had "
                    "no training. Rate Red if staff receive no reflective space at all."
                ),
                "evidence_hint": (
                    "Supervisor training records; supervision model or guidance; audit of "
                    "supervision quality; staff feedback on supervision; group or peer "
                    "supervision timetables."
                ),
            },
            {
                "code": "6.3",
                "text": (
                    "Supervision and management oversight identify when a child's situation is "
                    "not improving, and concerns are escalated promptly."
                ),
                "guidance": (
                    "Green means supervisors check progress against each child's plan, spot "
                    "drift and delay, and agree clear actions with timescales. When they are "
                    "worried, they escalate within your agency or to partners, using the "
                    "partnership's procedures, and record why. Staff can also get ad hoc "
                    "safeguarding supervision or advice between sessions. Rate Amber if "
                    "oversight is recorded inconsistently or escalation is slow. Rate Red if "
                    "cases drift without management oversight."
                ),
                "evidence_hint": (
                    "Case file audits showing management oversight; supervision records with "
                    "agreed actions; escalation logs; safeguarding advice or consultation "
                    "records."
                ),
            },
        ],
    },
    {
        "code": "safe-recruitment",
        "title": "Safe recruitment",
        "description": (
            "How your agency keeps unsuitable people out of work with children, manages "
            "allegations against staff, and holds contractors, volunteers and commissioned "
            "services to the same standards."
        ),
        "criteria": [
            {
                "code": "7.1",
                "text": (
                    "Your agency follows a safer recruitment policy, and recruiting panels "
                    "include someone trained in safer recruitment."
                ),
                "guidance": (
                    "Green means adverts and job descriptions state your commitment to "
                    "safeguarding, at least one member of every panel for roles with children "
                    "has completed safer recruitment training, and interviews explore attitudes "
                    "to children. Identity, right to work, qualifications and employment gaps "
                    "are checked, and at least two references are obtained, with one from the "
                    "most recent employer, before the person starts. Rate Amber if checks are "
                    "sometimes completed after start dates. Rate Red if there is no safer "
                    "recruitment policy or trained panel members."
                ),
                "evidence_hint": (
                    "Safer recruitment policy; list of trained recruiters with training dates; "
                    "sample recruitment files; reference request template; audit of "
                    "pre-employment checks."
                ),
            },
            {
                "code": "7.2",
                "text": (
                    "Disclosure and Barring Service (DBS) checks are completed at the right "
                    "level before people start, and are renewed in line with your policy."
                ),
                "guidance": (
                    "Green means every role is assessed for the right DBS level, people whose "
                    "work is regulated activity with children (such as regular teaching, care or "
                    "supervision of children) have an enhanced check with a children's barred list "
                    "check, and no one starts before the check is back unless a "
                    "documented risk assessment and supervision are in place. Your policy sets "
                    "how often checks are renewed, or you use the DBS Update Service, and a "
                    "central record tracks this. Rate Amber if renewals are overdue or records "
                    "are incomplete. Rate Red if you cannot show that staff have been checked."
                ),
                "evidence_hint": (
                    "DBS policy; single central record or DBS tracker; renewal and Update "
                    "Service figures; risk assessments for anyone starting before clearance; "
                    "audit of a sample of staff files."
                ),
            },
            {
                "code": "7.3",
                "text": (
                    "Your agency has a procedure for managing allegations against staff and "
                    "volunteers, including referral to the Local Authority Designated Officer "
                    "(LADO)."
                ),
                "guidance": (
                    "Green means your procedure follows the partnership's allegations "
                    "procedures, names a senior manager to handle allegations, and makes clear "
                    "that any concern that a person may have harmed a child, or may pose a "
                    "risk, is discussed with the LADO within one working day. Managers know the "
                    "route, records are kept securely, and referrals to the DBS or professional "
                    "regulators are made where required. Rate Amber if the procedure is out of "
                    "date or managers are unsure of it. Rate Red if allegations are dealt with "
                    "internally without LADO involvement."
                ),
                "evidence_hint": (
                    "Allegations management procedure; named senior manager; anonymised log of "
                    "LADO referrals and outcomes; DBS or regulator referral records; manager "
                    "training on allegations."
                ),
            },
            {
                "code": "7.4",
                "text": (
                    "Contractors, volunteers, students and commissioned services that work with "
                    "children are held to the same safeguarding standards as your own staff."
                ),
                "guidance": (
                    "Green means contracts and service agreements include safeguarding "
                    "requirements, such as safer recruitment, DBS checks, training and "
                    "reporting concerns, and you check compliance through contract monitoring "
                    "or visits. Volunteers and students go through the same checks and "
                    "induction as staff in similar roles. Rate Amber if requirements are in "
                    "contracts but not monitored, or if some groups fall outside them. Rate Red "
                    "if you have no safeguarding requirements for people and services working "
                    "on your behalf."
                ),
                "evidence_hint": (
                    "Contract safeguarding clauses; contract monitoring reports; provider "
                    "safeguarding self-assessments; volunteer and student recruitment records; "
                    "commissioning checklist."
                ),
            },
        ],
    },
    {
        "code": "interagency-working",
        "title": "Interagency working",
        "description": (
            "How your agency works with partners to protect children: making good referrals, "
            "taking part in multi-agency meetings, and resolving disagreements."
        ),
        "criteria": [
            {
                "code": "8.1",
                "text": (
                    "Staff make timely, well-informed referrals to children's social care and "
                    "early help, using the partnership's threshold guidance."
                ),
                "guidance": (
                    "Green means staff know the partnership's threshold guidance and referral "
                    "routes, make referrals promptly, and give clear information on what they "
                    "are worried about, why, and what the child has said. They follow up if "
                    "they hear nothing back, and they offer or support early help where that "
                    "fits. Rate Amber if referral quality varies, or staff are unsure of "
                    "thresholds. Rate Red if concerns are not referred, or staff do not know "
                    "how to refer."
                ),
                "evidence_hint": (
                    "Referral figures; feedback from children's social care on your referrals; "
                    "audit of referral quality; threshold guidance in your procedures; training "
                    "records on thresholds and referral."
                ),
            },
            {
                "code": "8.2",
                "text": (
                    "Your agency attends and contributes to multi-agency meetings, including "
                    "strategy meetings, child protection conferences and core groups."
                ),
                "guidance": (
                    "Green means the right practitioner attends, or a briefed colleague when "
                    "they cannot, reports are shared on time, and your agency carries out "
                    "actions given to it in child protection and other plans. Staff understand "
                    "the purpose of each meeting and share relevant information even when "
                    "attending is not possible. Rate Amber if attendance or reports are "
                    "inconsistent, or actions slip. Rate Red if your agency rarely attends or "
                    "contributes to these meetings."
                ),
                "evidence_hint": (
                    "Attendance figures for strategy meetings, conferences and core groups; "
                    "reports submitted on time; audit of contributions; feedback from "
                    "conference chairs."
                ),
            },
            {
                "code": "8.3",
                "text": (
                    "Staff know how to challenge and escalate professional disagreements, using "
                    "the partnership's procedure for resolving them, and do so when needed."
                ),
                "guidance": (
                    "Green means staff are confident to question decisions by other agencies "
                    "when they think a child is not safe, and know the stages of the "
                    "partnership's escalation procedure. Managers support them, escalations are "
                    "recorded and tracked to a resolution, and themes are reviewed for "
                    "learning. Rate Amber if staff know the procedure exists but rarely use it, "
                    "or escalations are not recorded. Rate Red if staff do not know how to "
                    "escalate a disagreement."
                ),
                "evidence_hint": (
                    "Escalation procedure in your policy; escalation log with outcomes; "
                    "examples of resolved disagreements; staff awareness material; audit "
                    "findings on challenge."
                ),
            },
        ],
    },
    {
        "code": "information-sharing",
        "title": "Information sharing",
        "description": (
            "How your agency shares information safely, lawfully and promptly to protect "
            "children, and keeps clear records of what was shared and why."
        ),
        "criteria": [
            {
                "code": "9.1",
                "text": (
                    "Staff understand when and how to share information to safeguard a child, "
                    "and the lawful basis for doing so."
                ),
                "guidance": (
                    "Green means your information sharing policy reflects national guidance, "
                    "data protection law (UK GDPR and the Data Protection Act 2018) and the "
                    "partnership's agreements, and makes clear that data protection is not a "
                    "barrier to sharing to keep a child safe. Staff know when consent is needed "
                    "and when they can share without it, and can get advice quickly. Rate Amber "
                    "if staff are hesitant or unsure. Rate Red if there is no policy or "
                    "information is withheld when a child may be at risk."
                ),
                "evidence_hint": (
                    "Information sharing policy; signed partnership information sharing "
                    "agreements; data protection officer advice routes; training materials; "
                    "staff survey on confidence to share."
                ),
            },
            {
                "code": "9.2",
                "text": (
                    "Information is shared through secure systems and in good time, so "
                    "partners have what they need when decisions are made."
                ),
                "guidance": (
                    "Green means staff use secure email or agreed systems for personal "
                    "information, never personal accounts, and information requested for "
                    "strategy meetings, conferences or reviews is provided within the "
                    "timescales asked. Data breaches are reported and learned from. Rate Amber "
                    "if information is sometimes late or sent by insecure means. Rate Red if "
                    "delays or insecure sharing are common, or if you have no secure way to "
                    "share with partners."
                ),
                "evidence_hint": (
                    "Secure email or system arrangements; data security policy; information "
                    "request response times; data breach log and actions; audit of "
                    "information shared for meetings."
                ),
            },
            {
                "code": "9.3",
                "text": (
                    "Records are accurate, up to date and clear about safeguarding concerns, "
                    "decisions, information shared and the reasons why."
                ),
                "guidance": (
                    "Green means records show the child's details, who lives with them and "
                    "who is important to them, a chronology of significant events, and each "
                    "safeguarding decision with the reason for it, including decisions to "
                    "share or not share information. Entries are made promptly and follow your "
                    "record keeping policy. Rate Amber if records are inconsistent, late or "
                    "missing reasons for decisions. Rate Red if safeguarding concerns or "
                    "decisions are often not recorded."
                ),
                "evidence_hint": (
                    "Record keeping policy; case file audit results; example chronology "
                    "template; records management and retention schedule; audit of recorded "
                    "information sharing decisions."
                ),
            },
        ],
    },
]
