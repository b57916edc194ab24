ALTER TABLE contacts
    ALTER COLUMN fields DROP DEFAULT,
    ALTER COLUMN fields TYPE jsonb USING fields::jsonb,
    ALTER COLUMN fields SET DEFAULT '[]',
    ALTER COLUMN email_result TYPE jsonb USING email_result::jsonb,
    ALTER COLUMN company_result TYPE jsonb USING company_result::jsonb;
