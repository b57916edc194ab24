ALTER TABLE contacts
    ALTER COLUMN fields DROP DEFAULT,
    ALTER COLUMN fields TYPE json USING fields::json,
    ALTER COLUMN fields SET DEFAULT '[]',
    ALTER COLUMN email_result TYPE json USING email_result::json,
    ALTER COLUMN company_result TYPE json USING company_result::json;
