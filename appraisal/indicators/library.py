"""The standard library of hospital indicators shipped with the demo (and offered to a new site).

About thirty indicators across the six balanced-scorecard dimensions, each with a plain-language
explanation written for the clinician who is measured on it. Rates are proportions, so their
plausible ranges are proportions too. ``load_demo_indicators`` adds the ones that are missing
and leaves every existing entry (and any local edit of it) alone, so it can run any number of
times.
"""

from __future__ import annotations

from dataclasses import asdict, fields

from sqlalchemy import func, select

from appraisal.core import audit
from appraisal.extensions import db
from appraisal.indicators.models import Dimension, Direction, Indicator, IndicatorKind
from appraisal.indicators.rules import IndicatorValues

Q, E, P, F, L, S = (Dimension.quality_safety, Dimension.efficiency_process, Dimension.patient,
                    Dimension.finance, Dimension.learning_growth, Dimension.public_service)
RATE, VALUE, COUNT = IndicatorKind.rate, IndicatorKind.value, IndicatorKind.count
UP, DOWN = Direction.higher, Direction.lower


def _i(code, name, explanation, dimension, kind, unit, direction, source, risk=False,
       low=None, high=None) -> IndicatorValues:
    return IndicatorValues(code, name, explanation, dimension, kind, unit, direction, source,
                            risk, low, high)


DEMO_INDICATORS: tuple[IndicatorValues, ...] = (
    # -- quality & safety --------------------------------------------------------------------
    _i("READMIT30", "30-day readmission rate",
       "Share of your discharged patients who were admitted again, unplanned, within 30 days. "
       "It is compared with what your case mix would predict, so complex patients do not count "
       "against you.", Q, RATE, "%", DOWN, "HIS", True, 0, 0.6),
    _i("SURG_COMPL", "Surgical complication rate",
       "Share of your operations followed by a recorded complication before discharge. "
       "Adjusted for the expected risk of each patient.", Q, RATE, "%", DOWN, "EMR", True, 0, 0.6),
    _i("MORT_INHOSP", "In-hospital mortality (risk-adjusted)",
       "Deaths among your inpatients, compared with the number expected for patients as ill as "
       "yours. Below the expected number is better.", Q, RATE, "%", DOWN, "HIS", True, 0, 0.5),
    _i("UNPLAN_RETURN", "Unplanned return to theatre",
       "Share of your operations where the patient had to go back to the operating theatre "
       "unplanned during the same stay.", Q, RATE, "%", DOWN, "HIS", False, 0, 0.3),
    _i("HBA1C_CTRL", "HbA1c control rate",
       "Share of your diabetic patients whose latest HbA1c is below 7%: a sign that their "
       "diabetes is well controlled.", Q, RATE, "%", UP, "LIS", False, 0, 1),
    _i("BP_CTRL", "Blood-pressure control rate",
       "Share of your hypertensive patients whose latest blood pressure is below 140/90 mmHg.",
       Q, RATE, "%", UP, "EMR", False, 0, 1),
    _i("HAPI", "Hospital-acquired pressure injury rate",
       "Share of patients in your care who developed a new pressure injury during their stay. "
       "Good turning, skin checks and nutrition prevent most of them.",
       Q, RATE, "%", DOWN, "EMR", False, 0, 0.3),
    _i("HAND_HYG", "Hand-hygiene compliance",
       "Share of observed moments (before and after patient contact, before clean procedures) "
       "in which you cleaned your hands, from the infection-control audits.",
       Q, RATE, "%", UP, "manual", False, 0, 1),
    _i("ABX_DDD", "Antibiotic use intensity",
       "Defined daily doses of antibiotics per 100 bed-days among your patients. Lower use, "
       "with good outcomes, means fewer resistant infections.",
       Q, VALUE, "DDD/100 bed-days", DOWN, "HIS", False, 0, 300),
    _i("VTE_ASSESS", "VTE risk assessment rate",
       "Share of your admitted patients assessed for the risk of blood clots (venous "
       "thromboembolism) within 24 hours of admission.", Q, RATE, "%", UP, "EMR", False, 0, 1),
    # -- efficiency & process ----------------------------------------------------------------
    _i("OPD_VISITS", "Outpatient visits",
       "The number of outpatient consultations you held in the period.",
       E, COUNT, "visits", UP, "HIS", False, 0, 30000),
    _i("DISCHARGES", "Discharges",
       "The number of inpatients discharged under your care in the period.",
       E, COUNT, "patients", UP, "HIS", False, 0, 5000),
    _i("CMI", "Case-mix index",
       "How complex your inpatients were, from their diagnosis-related groups: 1.0 is the "
       "hospital average, above 1.0 means more complex cases.", E, VALUE, "", UP, "HIS", False,
       0.1, 10),
    _i("ALOS", "Average length of stay",
       "The average number of days your inpatients stayed in hospital. Shorter stays, without "
       "more readmissions, mean efficient care.", E, VALUE, "days", DOWN, "HIS", False, 0.5, 90),
    _i("DAY_SURG", "Day-surgery rate",
       "Share of your planned operations done as day surgery (admitted and discharged the same "
       "day).", E, RATE, "%", UP, "HIS", False, 0, 1),
    _i("MR_TIMELY", "Medical record timeliness",
       "Share of your discharge records completed and signed within 48 hours of discharge.",
       E, RATE, "%", UP, "EMR", False, 0, 1),
    _i("OR_ONTIME", "First-case on-time start",
       "Share of your operating days on which the first operation started on time.",
       E, RATE, "%", UP, "HIS", False, 0, 1),
    # -- patient -----------------------------------------------------------------------------
    _i("PAT_SAT", "Patient satisfaction",
       "The average score (0 to 100) your patients gave in the post-discharge and outpatient "
       "surveys.", P, VALUE, "points", UP, "survey", False, 0, 100),
    _i("COMPLAINTS", "Complaints",
       "The number of formal patient complaints about your care that were upheld after "
       "investigation.", P, COUNT, "complaints", DOWN, "manual", False, 0, 100),
    _i("OPD_WAIT", "Outpatient waiting time",
       "The average time, in minutes, between a patient's check-in and the start of your "
       "consultation.", P, VALUE, "minutes", DOWN, "HIS", False, 0, 480),
    _i("FOLLOW_UP", "Follow-up after discharge",
       "Share of your discharged patients contacted for follow-up within 30 days.",
       P, RATE, "%", UP, "HIS", False, 0, 1),
    # -- finance -----------------------------------------------------------------------------
    _i("COST_CASE", "Cost per case",
       "The average total cost of an inpatient stay under your care, in yuan.",
       F, VALUE, "CNY", DOWN, "finance", False, 0, 1000000),
    _i("DRUG_SHARE", "Drug cost share",
       "Share of your patients' total medical costs spent on drugs. Lower means treatment "
       "relies less on drugs, in line with national policy.", F, RATE, "%", DOWN, "finance",
       False, 0, 1),
    _i("CONSUMABLE_SHARE", "Consumables cost share",
       "Share of your patients' total medical costs spent on medical consumables.",
       F, RATE, "%", DOWN, "finance", False, 0, 1),
    _i("SERVICE_REVENUE", "Medical service revenue share",
       "Share of revenue that comes from medical services (examination, treatment, surgery, "
       "nursing) rather than drugs and consumables.", F, RATE, "%", UP, "finance", False, 0, 1),
    # -- learning & growth -------------------------------------------------------------------
    _i("TEACH_HRS", "Teaching hours",
       "Hours you spent teaching students, residents or nurses, as recorded by the education "
       "office.", L, VALUE, "hours", UP, "HR", False, 0, 1000),
    _i("PUBLICATIONS", "Publications",
       "Peer-reviewed papers you published in the period as first or corresponding author.",
       L, COUNT, "papers", UP, "manual", False, 0, 50),
    _i("CME_CREDITS", "CME credits",
       "Continuing medical education credits you earned in the period.",
       L, VALUE, "credits", UP, "HR", False, 0, 200),
    _i("RESIDENTS_SUPERVISED", "Residents supervised",
       "The number of residents or trainees you supervised during the period.",
       L, COUNT, "trainees", UP, "HR", False, 0, 50),
    # -- public service ----------------------------------------------------------------------
    _i("PH_TASKS", "Public-health tasks completed",
       "Share of the public-health tasks assigned to you (screening, vaccination days, health "
       "checks) that you completed.", S, RATE, "%", UP, "manual", False, 0, 1),
    _i("OUTREACH_DAYS", "Community outreach days",
       "Days you worked in community clinics, free clinics or health-education events.",
       S, VALUE, "days", UP, "HR", False, 0, 366),
    _i("COUNTERPART_DAYS", "Counterpart support days",
       "Days you spent supporting partner county or township hospitals.",
       S, VALUE, "days", UP, "HR", False, 0, 366),
    _i("NOTIFIABLE_TIMELY", "Notifiable disease reporting on time",
       "Share of notifiable infectious-disease cases you reported within the legal time limit.",
       S, RATE, "%", UP, "HIS", False, 0, 1),
)


def load_demo_indicators(actor=None) -> list[Indicator]:
    """Add the library entries whose code is not in the library yet; returns those added."""
    taken = {code.casefold() for code in db.session.scalars(select(func.lower(Indicator.code)))}
    added = []
    for entry in DEMO_INDICATORS:
        if entry.code.casefold() in taken:
            continue
        indicator = Indicator(**asdict(entry), active=True)
        db.session.add(indicator)
        added.append(indicator)
    db.session.flush()
    for indicator in added:
        audit.record(actor, "indicator.created", indicator,
                     new=dict(asdict(_entry_of(indicator)), source="library"))
    return added


def _entry_of(indicator: Indicator) -> IndicatorValues:
    return IndicatorValues(**{field.name: getattr(indicator, field.name)
                              for field in fields(IndicatorValues)})
