-- decide.sql — bench/portfolio.strat's scores and decide table in SQLite:
--   sqlite3 :memory: < decide.sql   (run in the directory of services.csv)
-- The CSV is imported into a table with typed REAL columns, then one SELECT
-- computes the decision with CASE (first matching arm wins) and counts them.
CREATE TABLE services (
  id TEXT, title TEXT, customers TEXT, status TEXT,
  cost REAL, csat REAL, incidents REAL, functional_fit REAL, technical_fit REAL,
  business_value REAL, time_criticality REAL, risk_reduction REAL, job_size REAL
);
.mode csv
.import --skip 1 services.csv services
.mode list
.separator " "
WITH scored AS (
  SELECT status, cost,
         0.5 * csat / 5 + 0.5 * (functional_fit - 1) / 3            AS value,
         min(max(1 - incidents / 100, 0), 1)                        AS health,
         (technical_fit - 1) / 3                                    AS fit,
         (business_value + time_criticality + risk_reduction) / job_size AS wsjf
  FROM services
), decided AS (
  SELECT CASE
           WHEN status = 'pipeline' THEN 'experiment'
           WHEN status = 'retired' THEN 'retire'
           WHEN value >= 0.7 AND health >= 0.6 AND fit >= 0.5 THEN 'invest'
           WHEN value >= 0.7 THEN 'enhance'
           WHEN value >= 0.4 AND fit < 0.4 THEN 'migrate'
           WHEN value < 0.25 AND cost > 500000 THEN 'retire'
           ELSE 'tolerate'
         END AS decision
  FROM scored
)
SELECT decision, count(*) FROM decided GROUP BY decision ORDER BY decision;
