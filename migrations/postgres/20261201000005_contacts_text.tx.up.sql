-- The contacts' JSON columns become text: the aggregator has already read
-- each value as JSON before it stores it, so PostgreSQL's own check of the
-- json type was the same work done twice, on every row, on the path every
-- result takes. Nothing queries inside them; the export and the API decode
-- them as they did.
ALTER TABLE contacts
    ALTER COLUMN fields DROP DEFAULT,
    ALTER COLUMN fields TYPE text USING fields::text,
    ALTER COLUMN fields SET DEFAULT '[]',
    ALTER COLUMN email_result TYPE text USING email_result::text,
    ALTER COLUMN company_result TYPE text USING company_result::text;
