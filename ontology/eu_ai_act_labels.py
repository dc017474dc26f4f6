"""Short labels for the EU AI Act Annex III points, written by aimstrace for tables and reports.

The official text of each point is kept as its skos:definition; these labels only name it.
"""

from __future__ import annotations

ANNEX_III_POINT_LABELS: dict[str, str] = {
    "Annex III.1(a)": "Remote biometric identification",
    "Annex III.1(b)": "Biometric categorisation by sensitive or protected attributes",
    "Annex III.1(c)": "Emotion recognition",
    "Annex III.2(a)": "Safety components of critical infrastructure",
    "Annex III.3(a)": "Access or admission to education and vocational training",
    "Annex III.3(b)": "Evaluating learning outcomes",
    "Annex III.3(c)": "Assessing the appropriate level of education",
    "Annex III.3(d)": "Monitoring prohibited behaviour of students during tests",
    "Annex III.4(a)": "Recruitment and selection of natural persons",
    "Annex III.4(b)": "Decisions on work relationships, task allocation and performance monitoring",
    "Annex III.5(a)": "Eligibility for essential public assistance benefits and services",
    "Annex III.5(b)": "Creditworthiness and credit scoring",
    "Annex III.5(c)": "Risk assessment and pricing in life and health insurance",
    "Annex III.5(d)": "Emergency call evaluation, dispatch and patient triage",
    "Annex III.6(a)": "Law enforcement: risk of a person becoming a crime victim",
    "Annex III.6(b)": "Law enforcement: polygraphs and similar tools",
    "Annex III.6(c)": "Law enforcement: reliability of evidence",
    "Annex III.6(d)": "Law enforcement: risk of offending or re-offending",
    "Annex III.6(e)": "Law enforcement: profiling in criminal investigations",
    "Annex III.7(a)": "Migration and border control: polygraphs and similar tools",
    "Annex III.7(b)": "Migration and border control: risk posed by a person entering",
    "Annex III.7(c)": "Examination of asylum, visa and residence permit applications",
    "Annex III.7(d)": "Migration and border control: detecting or identifying persons",
    "Annex III.8(a)": "Assisting judicial authorities and alternative dispute resolution",
    "Annex III.8(b)": "Influencing elections, referenda or voting behaviour",
}
