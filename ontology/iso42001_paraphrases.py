"""aimstrace's own one-line paraphrases of ISO/IEC 42001:2023 Annex A controls and Annex C items.

These sentences are written by the project to say what each control or item is about. They are
not the standard's text, which is copyrighted by ISO/IEC and must never be copied here.
"""

from __future__ import annotations

CONTROL_PARAPHRASES: dict[str, str] = {
    "A.2.2": "Have a documented policy for how the organisation develops or uses AI systems.",
    "A.2.3": "Work out where other organisational policies touch AI and keep them consistent "
    "with the AI policy.",
    "A.2.4": "Review the AI policy at planned intervals and when things change, so it stays "
    "suitable and effective.",
    "A.3.2": "Define and assign the roles and responsibilities needed for AI across the "
    "organisation.",
    "A.3.3": "Give people a way to raise concerns about the organisation's AI systems over "
    "their life cycle.",
    "A.4.2": "Identify and document the resources each AI system needs at each life-cycle stage.",
    "A.4.3": "Document the data resources used for an AI system, as part of resource "
    "identification.",
    "A.4.4": "Document the tools used to build and run an AI system, as part of resource "
    "identification.",
    "A.4.5": "Document the system and computing resources an AI system relies on.",
    "A.4.6": "Document the human resources and competences needed for an AI system.",
    "A.5.2": "Set up a process to assess the potential consequences of AI systems for "
    "individuals, groups and society.",
    "A.5.3": "Keep records of AI system impact assessment results for a defined period.",
    "A.5.4": "Assess and document how an AI system may affect individuals or groups of "
    "individuals.",
    "A.5.5": "Assess and document how an AI system may affect society.",
    "A.6.1.2": "Set and document the organisation's objectives for developing AI systems "
    "responsibly and act on them.",
    "A.6.1.3": "Define and document the processes used to design and develop AI systems "
    "responsibly.",
    "A.6.2.2": "Specify and document the requirements of new AI systems or major changes to "
    "existing ones.",
    "A.6.2.3": "Document the design and development of an AI system in line with its "
    "objectives and requirements.",
    "A.6.2.4": "Define and document how an AI system is verified and validated, with the "
    "criteria to meet.",
    "A.6.2.5": "Plan and document how an AI system is deployed, including the conditions to "
    "meet first.",
    "A.6.2.6": "Define what is needed to keep an AI system running and monitored, such as "
    "repairs, updates and support.",
    "A.6.2.7": "Decide which technical documentation each group of interested parties needs "
    "and provide it.",
    "A.6.2.8": "Decide at which life-cycle stages event logging is turned on, at least while "
    "the system is in use.",
    "A.7.2": "Define and carry out data management processes for developing and improving AI "
    "systems.",
    "A.7.3": "Record how data used by AI systems was obtained and chosen.",
    "A.7.4": "Set data quality requirements and check that the data used by AI systems meets them.",
    "A.7.5": "Record where data used by AI systems comes from and what happened to it over "
    "its life cycle.",
    "A.7.6": "Define the criteria and methods used to prepare data for AI systems.",
    "A.8.2": "Give users the information they need about an AI system.",
    "A.8.3": "Let interested parties report adverse impacts of an AI system.",
    "A.8.4": "Plan how incidents involving AI systems are communicated to users and others "
    "concerned.",
    "A.8.5": "Decide and document what the organisation must tell interested parties about "
    "its AI systems.",
    "A.9.2": "Define and document processes for using AI systems responsibly.",
    "A.9.3": "Identify and document the objectives that guide responsible use of AI systems.",
    "A.9.4": "Use AI systems as intended and as their documentation says.",
    "A.10.2": "Share out responsibilities for AI systems between the organisation, its "
    "partners, suppliers, customers and other third parties.",
    "A.10.3": "Make sure the services, products and materials obtained from suppliers fit the "
    "organisation's responsible approach to AI.",
    "A.10.4": "Take customers' expectations and needs into account in the responsible "
    "approach to AI.",
}

ANNEX_C_PARAPHRASES: dict[str, str] = {
    "C.2.1": "Being answerable for the use of AI and its outcomes.",
    "C.2.2": "Having people with the specialist skills to build, run and assess AI systems.",
    "C.2.3": "Having enough training and test data of suitable quality for the AI system.",
    "C.2.4": "Limiting the environmental footprint of developing and using AI.",
    "C.2.5": "Avoiding unjustified differential treatment of people or groups by AI.",
    "C.2.6": "Being able to change and repair the AI system over time.",
    "C.2.7": "Protecting personal data and the privacy of individuals affected by AI.",
    "C.2.8": "Keeping the AI system's performance stable under varied or adverse conditions.",
    "C.2.9": "Preventing AI systems from endangering human life, health, property or the "
    "environment.",
    "C.2.10": "Protecting AI systems against attacks, including AI-specific ones such as data "
    "poisoning.",
    "C.2.11": "Letting interested parties understand how an AI system works and why it "
    "produced an output.",
    "C.3.1": "Risk arising from operating in environments that are complex, dynamic or hard to "
    "foresee.",
    "C.3.2": "Risk arising when the system's behaviour or data cannot be explained to those "
    "who need to understand it.",
    "C.3.3": "Risk arising from the degree to which the AI system acts without human involvement.",
    "C.3.4": "Risk arising from how machine-learning models are built and from the data they "
    "learn from.",
    "C.3.5": "Risk arising from faults or limits of the hardware the AI system runs on.",
    "C.3.6": "Risk arising from flaws at any stage of the AI system's life cycle, from design "
    "to retirement.",
    "C.3.7": "Risk arising from using technology that is new or not yet mature.",
}
