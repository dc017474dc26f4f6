// For a system under an EU AI Act Annex III point: the Chapter III Section 2 articles and the
// controls whose implemented requirement maps to each (the Cypher twin of
// high-risk-obligations.rq). Articles no control meets keep one row with empty control columns.
MATCH (:Resource {iri: $system})-[:ANNEX_IIIPOINT]->(annexPoint:Resource)
OPTIONAL MATCH (annexPoint)-[:BROADER]->(area:Resource)
MATCH (section:Resource {notation: 'Chapter III Section 2'})
  -[:IN_SCHEME]->(:Resource {iri: 'https://w3id.org/aimstrace/catalog/eu-ai-act'})
MATCH (article:Resource)-[:BROADER]->(section)
WHERE article.kind = 'article' AND article.notation IS NOT NULL
CALL (article) {
  CALL (article) {
    MATCH (requirement:Resource)-[mapping:MAPS_TO]->(article)
    RETURN requirement, mapping.relationship AS seen
    UNION ALL
    MATCH (article)-[mapping:MAPS_TO]->(requirement:Resource)
    RETURN requirement, CASE mapping.relationship
      WHEN 'subset-of' THEN 'superset-of'
      WHEN 'superset-of' THEN 'subset-of'
      ELSE mapping.relationship
    END AS seen
  }
  WITH requirement, seen
  WHERE seen <> 'no-relationship'
  MATCH (control:Resource)-[:IMPLEMENTS_REQUIREMENT]->(requirement)
  OPTIONAL MATCH (control)-[:CONTROL_STATUS]->(status:Resource)
  RETURN collect([
    control.iri,
    CASE
      WHEN status IS NULL THEN null
      WHEN status.iri CONTAINS '#status-'
      THEN substring(status.iri, size(split(status.iri, '#status-')[0]) + size('#status-'))
      ELSE ''
    END,
    seen
  ]) AS links
}
UNWIND CASE WHEN size(links) = 0 THEN [[null, null, null]] ELSE links END AS link
RETURN
  annexPoint.iri AS annex_point,
  area.iri AS area,
  article.iri AS article,
  article.notation AS article_notation,
  article.prefLabel AS article_title,
  link[0] AS control,
  link[1] AS control_status,
  link[2] AS relationship
ORDER BY article_notation, control
