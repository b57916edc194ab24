DROP TABLE IF EXISTS company_imports;

--bun:split

DROP TABLE IF EXISTS company_trigrams;

--bun:split

DROP TABLE IF EXISTS companies;
