// Statement of Applicability: the Cypher twin of statement-of-applicability.rq. Every ISO/IEC
// 42001 Annex A control, its decision (if any) and the controls implementing it (if any); the
// OPTIONAL MATCHes multiply exactly as the SPARQL OPTIONAL groups do.
MATCH (requirement:Resource)
  -[:IN_SCHEME]->(:Resource {iri: 'https://w3id.org/aimstrace/catalog/iso42001'})
WHERE 'https://w3id.org/aimstrace/ns#ReferenceControl' IN requirement.types
  AND requirement.notation IS NOT NULL
OPTIONAL MATCH (decision:Resource)-[:DECISION_FOR]->(requirement)
OPTIONAL MATCH (decision)-[:CONTROL_STATUS]->(decisionStatus:Resource)
OPTIONAL MATCH (implementer:Resource)-[:IMPLEMENTS_REQUIREMENT]->(requirement)
OPTIONAL MATCH (implementer)-[:CONTROL_STATUS]->(controlStatus:Resource)
OPTIONAL MATCH (implementer)-[:HAS_EVIDENCE]->(evidence:Resource)
WITH requirement, decision, implementer, evidence,
  coalesce(decisionStatus.iri, controlStatus.iri) AS statusIri
RETURN
  requirement.iri AS requirement,
  requirement.notation AS notation,
  requirement.prefLabel AS title,
  decision.applicable AS applicable,
  decision.justification AS justification,
  CASE
    WHEN statusIri IS NULL THEN null
    WHEN statusIri CONTAINS '#status-'
    THEN substring(statusIri, size(split(statusIri, '#status-')[0]) + size('#status-'))
    ELSE ''
  END AS status,
  implementer.iri AS implemented_by,
  evidence.iri AS evidence
ORDER BY notation, implemented_by, evidence
