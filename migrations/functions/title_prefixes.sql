-- The current source of title_prefixes, as the migrations define it (20261213000001_admin_title_words.sql).
-- A migration that changes it repeats it whole, and this file with it: a test
-- checks that the migrated database runs exactly this.

-- Every prefix (1 to 32 characters) of every word of a title, lowercased: what the
-- admin's product search looks words up in.
CREATE FUNCTION title_prefixes(title TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT left(w, n))), ''::tsvector)
      FROM regexp_split_to_table(lower(title), '[^[:alnum:]]+') w,
           generate_series(1, least(length(w), 32)) n
     WHERE w <> ''
$$;
