-- The contacts' JSON columns hold what the workers wrote, stored once and
-- read back whole by the export: json keeps the text as it came, where
-- jsonb would parse it into its binary form on every insert and print it
-- again on every read. Nothing queries inside them.
ALTER TABLE contacts
    ALTER COLUMN fields DROP DEFAULT,
    ALTER COLUMN fields TYPE json USING fields::json,
    ALTER COLUMN fields SET DEFAULT '[]',
    ALTER COLUMN email_result TYPE json USING email_result::json,
    ALTER COLUMN company_result TYPE json USING company_result::json;
