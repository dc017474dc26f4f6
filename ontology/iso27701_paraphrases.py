"""aimstrace's own one-line paraphrases of ISO/IEC 27701:2025 Annex A objectives and controls.

These sentences are written by the project to say what each item is about. They are not the
standard's text, which is copyrighted by ISO/IEC and must never be copied here.
"""

from __future__ import annotations

OBJECTIVE_PARAPHRASES: dict[str, str] = {
    "A.1.2": "Show that each processing of PII by a controller has a legitimate, defined purpose "
    "and a lawful basis.",
    "A.1.3": "Tell PII principals what happens to their PII and meet the controller's other "
    "duties towards them.",
    "A.1.4": "Build processes and systems so that collection, use, retention and disposal of "
    "PII stay within what the purpose needs.",
    "A.1.5": "Know and record when PII is shared, transferred to another jurisdiction or "
    "disclosed, and on what basis.",
    "A.2.2": "Process PII as a processor only under the customer's contract and instructions.",
    "A.2.3": "Help the customer meet its obligations to PII principals.",
    "A.2.4": "Keep the processor's handling of PII, including temporary copies and return or "
    "disposal, limited to the service.",
    "A.2.5": "Control and tell the customer about transfers, disclosures and subcontractors "
    "involving its PII.",
}

CONTROL_PARAPHRASES: dict[str, str] = {
    "A.1.2.2": "Write down the specific purposes for which each set of PII is processed.",
    "A.1.2.3": "Establish, record and be able to prove the lawful basis for each processing "
    "purpose.",
    "A.1.2.4": "Have a documented way to decide whether consent is needed and to show when "
    "and how it was given.",
    "A.1.2.5": "Collect consent from PII principals as the documented process says and keep "
    "a record of it.",
    "A.1.2.6": "Decide whether new or changed processing needs a privacy impact assessment "
    "and carry one out where it does.",
    "A.1.2.7": "Bind every PII processor by written contract to the controls it must apply.",
    "A.1.2.8": "Agree and document the split of privacy duties with any joint PII controller.",
    "A.1.2.9": "Keep the records of processing that show how PII is handled and for what.",
    "A.1.3.2": "Work out which obligations the organisation owes PII principals and meet them.",
    "A.1.3.3": "Decide and record what information PII principals must be given about the "
    "processing.",
    "A.1.3.4": "Give PII principals that information clearly and at the right time.",
    "A.1.3.5": "Let PII principals change or withdraw their consent easily.",
    "A.1.3.6": "Let PII principals object to processing of their PII.",
    "A.1.3.7": "Let PII principals see, correct or erase their PII.",
    "A.1.3.8": "Tell third parties that received PII about corrections, erasures or "
    "withdrawals that affect it.",
    "A.1.3.9": "Give PII principals a copy of their PII when asked.",
    "A.1.3.10": "Have a process to handle and answer PII principals' requests in time.",
    "A.1.3.11": "Meet the obligations that apply when decisions about PII principals are made "
    "by automated processing alone.",
    "A.1.4.2": "Collect only the PII that the identified purpose needs.",
    "A.1.4.3": "Use PII only in ways that the identified purpose needs.",
    "A.1.4.4": "Keep PII accurate, complete and up to date for its purpose.",
    "A.1.4.5": "Set and pursue objectives for keeping PII and identifiability to the minimum.",
    "A.1.4.6": "De-identify or delete PII once the purpose of processing has ended.",
    "A.1.4.7": "Delete temporary files holding PII within a set period.",
    "A.1.4.8": "Keep PII no longer than its purpose requires.",
    "A.1.4.9": "Have documented ways to dispose of PII.",
    "A.1.4.10": "Protect PII sent over networks so that it reaches only its intended recipients.",
    "A.1.5.2": "Identify and record the basis for moving PII from one jurisdiction to another.",
    "A.1.5.3": "Record the countries and international organisations that PII may go to.",
    "A.1.5.4": "Keep records of transfers of PII to or from third parties.",
    "A.1.5.5": "Keep records of disclosures of PII to third parties, with what, to whom and when.",
    "A.2.2.2": "Make sure the contract with the customer lets the customer meet its own "
    "privacy obligations.",
    "A.2.2.3": "Process customers' PII only for the purposes in the customer's instructions.",
    "A.2.2.4": "Use customers' PII for marketing or advertising only with the required consent.",
    "A.2.2.5": "Tell the customer when one of its instructions appears to break the law.",
    "A.2.2.6": "Give the customer what it needs to show it meets its obligations.",
    "A.2.2.7": "Keep records of the processing of PII carried out for each customer.",
    "A.2.3.2": "Give the customer the means to meet its obligations to PII principals.",
    "A.2.4.2": "Delete temporary files holding customers' PII within a set period.",
    "A.2.4.3": "Return, transfer or securely dispose of customers' PII as the contract says.",
    "A.2.4.4": "Protect customers' PII sent over networks so that it reaches only its "
    "intended recipients.",
    "A.2.5.2": "Tell the customer the basis for transfers of its PII between jurisdictions.",
    "A.2.5.3": "Tell the customer the countries and international organisations its PII may go to.",
    "A.2.5.4": "Keep records of disclosures of customers' PII to third parties.",
    "A.2.5.5": "Tell the customer about legally binding requests to disclose its PII, unless "
    "forbidden.",
    "A.2.5.6": "Disclose customers' PII to authorities only under legally binding requests.",
    "A.2.5.7": "Tell the customer which subcontractors process its PII before using them.",
    "A.2.5.8": "Use subcontractors to process customers' PII only as the customer contract allows.",
    "A.2.5.9": "Tell the customer about planned changes of subcontractors so it can object.",
    "A.3.3": "Have information security policies that cover the protection of PII.",
    "A.3.4": "Define who is responsible for protecting PII, including a contact for privacy "
    "matters.",
    "A.3.5": "Classify information so that PII is recognised and protected accordingly.",
    "A.3.6": "Label information so that PII can be identified by those handling it.",
    "A.3.7": "Set rules for transferring information, including PII, inside and outside the "
    "organisation.",
    "A.3.8": "Manage the identities of people and systems that can reach PII over their "
    "whole life cycle.",
    "A.3.9": "Grant, review and remove access rights to PII according to need.",
    "A.3.10": "Put the protection of PII into agreements with suppliers.",
    "A.3.11": "Plan and prepare how incidents, including PII breaches, are handled.",
    "A.3.12": "Respond to security incidents affecting PII, including notifying those who "
    "must be told.",
    "A.3.13": "Identify and meet the legal, regulatory and contractual requirements on "
    "protecting PII.",
    "A.3.14": "Protect records, including records about PII processing, from loss and tampering.",
    "A.3.15": "Have the protection of PII reviewed independently at planned intervals.",
    "A.3.16": "Check regularly that PII is handled according to the organisation's policies "
    "and rules.",
    "A.3.17": "Train and make people aware of their duties in protecting PII.",
    "A.3.18": "Bind people with access to PII by confidentiality agreements.",
    "A.3.19": "Keep PII off unattended desks and screens.",
    "A.3.20": "Manage storage media holding PII through their life, up to disposal.",
    "A.3.21": "Remove PII securely before equipment is disposed of or reused.",
    "A.3.22": "Protect PII held on or reached through user endpoint devices.",
    "A.3.23": "Use secure authentication for access to systems holding PII.",
    "A.3.24": "Back up PII and the systems that process it, and test restores.",
    "A.3.25": "Log activity on systems processing PII, protect the logs and review them.",
    "A.3.26": "Set and apply rules on encryption and keys for protecting PII.",
    "A.3.27": "Apply secure development rules to software and systems that process PII.",
    "A.3.28": "Specify and approve security requirements for applications handling PII.",
    "A.3.29": "Apply secure engineering principles, including privacy ones, to systems that "
    "process PII.",
    "A.3.30": "Direct and check outsourced development of systems that process PII.",
    "A.3.31": "Choose, protect and manage test data so that PII is not exposed in testing.",
}

ANNEX_PARAPHRASES: dict[str, str] = {
    "Annex A": "The controls a PIMS selects from, in three tables by role: PII controllers, PII "
    "processors, and security controls for both.",
    "Annex B": "How to implement each Annex A control, in guidance numbered like the control it "
    "explains.",
    "Annex C": "Which controls support each of the ISO/IEC 29100 privacy principles, for "
    "controllers and for processors.",
    "Annex D": "Where clauses and controls of the standard are relevant to articles of the EU "
    "General Data Protection Regulation (indicative only).",
    "Annex E": "How the controls relate to ISO/IEC 27018 (PII in public clouds) and ISO/IEC 29151 "
    "(PII protection code of practice).",
    "Annex F": "Which 2019-edition item each 2025 control comes from, and where each 2019 item "
    "went, for the transition between editions.",
}
