-- The admin's product search reads words, not substrings (as Shopify's and Saleor's do):
-- each word searched is the start of a word in the title, in any order. A trigram index
-- answered a substring search, but at a million products two common words that never
-- meet cost it a dozen long posting lists; an index of each title word's prefixes answers
-- with two (app/src/catalog/admin/ssr/search.rs).
--
-- Words are what lower() leaves between characters that are not letters or digits; each
-- is indexed by its prefixes of 1 to 32 characters (a longer word searched is matched on
-- its first 32, then checked whole). COST tells the planner the function is dear per row,
-- so it reads the index rather than calling it on rows.
CREATE FUNCTION title_prefixes(title TEXT) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT left(w, n))), ''::tsvector)
      FROM regexp_split_to_table(lower(title), '[^[:alnum:]]+') w,
           generate_series(1, least(length(w), 32)) n
     WHERE w <> ''
$$;

CREATE INDEX products_title_prefixes ON products USING gin (title_prefixes(title));
DROP INDEX products_title_trgm;
