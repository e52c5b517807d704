-- CNIPA patent application numbers (12-digit form, from October 2003), for validating them
-- inside DuckDB. The Python reference is pipelines/check_characters.py (is_valid_cn_application_number);
-- tests/validation/test_macros.py keeps the two in step, so change both together.
--
-- CN + 4-digit year + type digit (1 invention, 2 utility model, 3 design, 8/9 PCT national
-- phase) + 7-digit serial + '.' + check character: the 12 digits weighted 2 3 4 5 6 7 8 9 2 3
-- 4 5, summed, modulo 11, with 10 written as X.
create or replace macro cn_application_check_character(digits12) as
    substr(
        '0123456789X',
        1 + list_sum(list_transform(
            range(12),
            lambda i: (2 + i % 8) * (ascii(substr(digits12, i + 1, 1)) - ascii('0'))
        ))::bigint % 11,
        1
    );

-- The 12-digit scheme started in October 2003; earlier numbers have 8 digits. CASE, not AND:
-- DuckDB may evaluate both sides of an AND, and the year cast needs the format checked first.
create or replace macro is_valid_cn_application_number(number) as
    case
        when not coalesce(regexp_full_match(number, 'CN[0-9]{4}[12389][0-9]{7}\.[0-9X]'), false)
            then false
        else substr(number, 3, 4)::integer between 2003 and 2099
            and cn_application_check_character(substr(number, 3, 12)) = substr(number, 16, 1)
    end;
