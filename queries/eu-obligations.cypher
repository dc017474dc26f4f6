// The Cypher twin of eu-obligations.rq: the obligations derived for one AI system, read in the
// version of the EU AI Act in force on $as_of (a Neo4j date, as the projection stores xsd:date).
MATCH (:Resource {iri: $system})<-[:OBLIGED_SYSTEM]-(application:Resource)
MATCH (application)-[:DEFINITION]->(definition:Resource)-[:IN_VERSION]->(version:Resource)
WHERE version.validFrom <= $as_of AND (version.validUntil IS NULL OR $as_of <= version.validUntil)
MATCH (definition)-[:ON_ROUTE]->(route:Resource)
MATCH (application)-[:AS_ROLE]->(assignment:Resource)-[:ROLE]->(role:Resource)
WITH application, definition, version, route, assignment, role,
     coalesce(application.appliesFromOverride, definition.appliesFrom) AS from
RETURN
  definition.provisionNotation AS provision,
  definition.prefLabel AS title,
  split(role.iri, '#role-')[1] AS role,
  assignment.roleBasis AS role_basis,
  split(route.iri, '#route-')[1] AS route,
  toString(from) AS applies_from,
  CASE
    WHEN application.notApplicableReason IS NOT NULL THEN 'not-applicable'
    WHEN from <= $as_of THEN 'in-force'
    ELSE 'upcoming'
  END AS status,
  version.notation AS version,
  definition.source AS source,
  application.notApplicableReason AS reason
ORDER BY applies_from, provision, role, role_basis, title
