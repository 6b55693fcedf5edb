-- Users and their purchases (UTC timestamps). Seeded for sign-up cohorts and conversion
-- windows (a purchase exactly 7 days after sign-up, one a minute inside the window, one before
-- 2024), same-day repeat purchases versus purchases a few minutes after midnight, payment
-- retries (a chain at 0, 7 and 15 minutes, a retry exactly 10 minutes later, two rows with the
-- same timestamp), NULL quantities, purchases either side of New Year, and a 2024 month
-- (August) with no sign-ups and no purchases.

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    name             VARCHAR NOT NULL,
    neighbourhood_id INTEGER,
    created_at       TIMESTAMP NOT NULL    -- sign-up time
);

CREATE TABLE transactions (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    amount     DECIMAL(10, 2) NOT NULL,    -- positive; no refunds
    quantity   INTEGER,                    -- sometimes missing
    created_at TIMESTAMP NOT NULL
);

INSERT INTO users VALUES
    ( 1, 'Aiko',    3,    TIMESTAMP '2024-01-01 09:00:00'),  -- Monday
    ( 2, 'Bastian', 1,    TIMESTAMP '2024-01-03 12:00:00'),
    ( 3, 'Chiara',  2,    TIMESTAMP '2024-01-07 23:00:00'),  -- Sunday, still the week of 1 January
    ( 4, 'Deepak',  NULL, TIMESTAMP '2024-01-08 10:00:00'),
    ( 5, 'Esme',    1,    TIMESTAMP '2024-01-09 10:00:00'),
    ( 6, 'Farid',   4,    TIMESTAMP '2023-12-31 20:00:00'),  -- signed up before 2024
    ( 7, 'Gloria',  2,    TIMESTAMP '2024-02-14 11:00:00'),
    ( 8, 'Henrik',  3,    TIMESTAMP '2024-02-15 09:00:00'),
    ( 9, 'Imani',   NULL, TIMESTAMP '2024-03-31 15:00:00'),  -- Sunday
    (10, 'Jakub',   1,    TIMESTAMP '2024-04-01 00:00:00'),  -- Monday midnight
    (11, 'Kavya',   4,    TIMESTAMP '2024-05-20 08:30:00'),
    (12, 'Lorenzo', 2,    TIMESTAMP '2024-06-30 23:30:00'),
    (13, 'Mei',     3,    TIMESTAMP '2024-09-02 14:00:00'),
    (14, 'Nour',    1,    TIMESTAMP '2024-10-15 10:00:00'),
    (15, 'Oskar',   NULL, TIMESTAMP '2024-12-31 23:00:00'),
    (16, 'Paola',   2,    TIMESTAMP '2025-01-05 12:00:00'),
    (17, 'Quentin', 4,    TIMESTAMP '2023-06-10 16:00:00');

INSERT INTO transactions VALUES
    -- user 1: two purchases on one day, two days after sign-up
    ( 1,  1, 10,  25.00,    1, TIMESTAMP '2024-01-03 10:00:00'),
    ( 2,  1, 11,  40.00,    2, TIMESTAMP '2024-01-03 15:00:00'),
    -- user 2: first purchase exactly 7 days after sign-up, then one in February
    ( 3,  2, 10,  25.00,    1, TIMESTAMP '2024-01-10 12:00:00'),
    ( 4,  2, 12,  15.00, NULL, TIMESTAMP '2024-02-05 08:00:00'),
    -- user 3: 23:50 on sign-up day, then a retry chain just after midnight
    ( 5,  3, 10,  25.00,    1, TIMESTAMP '2024-01-07 23:50:00'),
    ( 6,  3, 11,  40.00,    1, TIMESTAMP '2024-01-08 00:05:00'),
    ( 7,  3, 11,  40.00,    1, TIMESTAMP '2024-01-08 00:12:00'),
    ( 8,  3, 11,  40.00,    1, TIMESTAMP '2024-01-08 00:20:00'),
    -- user 5: one minute inside the window, and a second charge exactly 10 minutes later
    ( 9,  5, 12,  15.00,    3, TIMESTAMP '2024-01-16 09:59:00'),
    (10,  5, 12,  15.00,    3, TIMESTAMP '2024-01-16 10:09:00'),
    -- user 6: New Year's Eve, then half an hour into 2024
    (11,  6, 10,  25.00,    2, TIMESTAMP '2023-12-31 21:00:00'),
    (12,  6, 10,  25.00,    2, TIMESTAMP '2024-01-01 00:30:00'),
    -- user 7: three identical charges within three minutes
    (13,  7, 13,  60.00,    1, TIMESTAMP '2024-02-20 18:00:00'),
    (14,  7, 13,  60.00,    1, TIMESTAMP '2024-02-20 18:03:00'),
    (15,  7, 13,  60.00,    1, TIMESTAMP '2024-02-20 18:03:00'),
    -- user 8: two rows with the same timestamp, and one with a different amount
    (16,  8, 14,   9.99,    1, TIMESTAMP '2024-03-01 12:00:00'),
    (17,  8, 14,   9.99,    1, TIMESTAMP '2024-03-01 12:00:00'),
    (18,  8, 14,  19.98,    2, TIMESTAMP '2024-03-01 12:04:00'),
    -- user 9
    (19,  9, 10,  25.00,    1, TIMESTAMP '2024-04-02 10:00:00'),
    (20,  9, 10,  25.00,    4, TIMESTAMP '2024-06-15 10:00:00'),
    -- user 10: exactly 7 days after a midnight sign-up
    (21, 10, 15, 120.00,    1, TIMESTAMP '2024-04-08 00:00:00'),
    -- user 11: two products on the day after sign-up
    (22, 11, 10,  25.00,    3, TIMESTAMP '2024-05-21 09:00:00'),
    (23, 11, 11,  40.00, NULL, TIMESTAMP '2024-05-21 09:02:00'),
    -- user 12: 40 minutes after a late-evening sign-up, in the next month
    (24, 12, 13,  60.00,    1, TIMESTAMP '2024-07-01 00:10:00'),
    -- user 14
    (25, 14, 15, 120.00,    1, TIMESTAMP '2024-10-16 11:00:00'),
    (26, 14, 10,  25.00,    2, TIMESTAMP '2024-11-30 17:45:00'),
    -- user 15: signed up in 2024, bought in 2025
    (27, 15, 12,  15.00,    1, TIMESTAMP '2025-01-02 08:00:00'),
    -- user 16
    (28, 16, 10,  25.00,    2, TIMESTAMP '2025-01-06 09:00:00'),
    -- user 17: a long-standing customer across three calendar years
    (29, 17, 12,  15.00,    2, TIMESTAMP '2023-06-11 10:00:00'),
    (30, 17, 12,  15.00, NULL, TIMESTAMP '2023-11-20 10:00:00'),
    (31, 17, 10,  25.00,    4, TIMESTAMP '2024-03-15 10:00:00'),
    (32, 17, 10,  25.00,    1, TIMESTAMP '2024-12-31 23:59:00'),
    (33, 17, 10,  25.00,    2, TIMESTAMP '2025-01-01 10:00:00');
