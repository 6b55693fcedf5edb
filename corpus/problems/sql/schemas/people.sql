-- Users of a neighbourhood app, the neighbourhoods they live in and the comments they post.
-- Some users have no neighbourhood (NULL), some neighbourhoods have no users, and a
-- neighbourhood name repeats across cities. Comments sit on both sides of the January 2024
-- boundaries (31 December 23:59, 1 January 00:00, 31 January 18:00, 1 February 00:00), some
-- users comment several times a day, some only outside January, and one user never comments.

CREATE TABLE neighbourhoods (
    id   INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    city VARCHAR NOT NULL
);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,
    name             VARCHAR NOT NULL,
    neighbourhood_id INTEGER,          -- NULL: the user lives in no known neighbourhood
    created_at       TIMESTAMP NOT NULL
);

CREATE TABLE comments (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL      -- UTC
);

INSERT INTO neighbourhoods VALUES
    (1, 'Riverside',   'Bristol'),
    (2, 'Old Town',    'Bristol'),
    (3, 'Harbourside', 'Bristol'),
    (4, 'Riverside',   'Leeds'),
    (5, 'Headingley',  'Leeds'),
    (6, 'Chapel Hill', 'Leeds'),
    (7, 'Ancoats',     'Manchester'),
    (8, 'Didsbury',    'Manchester');

-- Users live in 1, 2, 4, 5 and 7; 3, 6 and 8 are empty.
INSERT INTO users VALUES
    ( 1, 'Amara',  1,    TIMESTAMP '2023-05-02 10:00:00'),
    ( 2, 'Bilal',  1,    TIMESTAMP '2023-06-11 14:30:00'),
    ( 3, 'Carmen', 2,    TIMESTAMP '2023-07-19 08:15:00'),
    ( 4, 'Dmitri', 4,    TIMESTAMP '2023-09-01 19:45:00'),
    ( 5, 'Elif',   NULL, TIMESTAMP '2023-10-23 12:00:00'),
    ( 6, 'Femi',   5,    TIMESTAMP '2023-11-30 23:10:00'),
    ( 7, 'Greta',  7,    TIMESTAMP '2023-12-14 09:05:00'),
    ( 8, 'Hugo',   NULL, TIMESTAMP '2024-01-03 16:20:00'),
    ( 9, 'Ines',   5,    TIMESTAMP '2024-01-20 11:11:00'),
    (10, 'Jonas',  7,    TIMESTAMP '2024-02-02 07:40:00'),
    (11, 'Keiko',  2,    TIMESTAMP '2024-02-29 18:00:00'),
    (12, 'Luca',   4,    TIMESTAMP '2024-03-05 13:25:00'),
    (13, 'Maya',   1,    TIMESTAMP '2024-04-17 21:50:00');

INSERT INTO comments VALUES
    -- user 1: 2 to 5 January, twice on the 3rd (4-day streak, 5 January comments)
    ( 1,  1, TIMESTAMP '2024-01-02 09:00:00'),
    ( 2,  1, TIMESTAMP '2024-01-03 08:30:00'),
    ( 3,  1, TIMESTAMP '2024-01-03 20:15:00'),
    ( 4,  1, TIMESTAMP '2024-01-04 12:00:00'),
    ( 5,  1, TIMESTAMP '2024-01-05 22:40:00'),
    -- user 2: late on 31 January, then 1 and 2 February (3-day streak, 1 January comment)
    ( 6,  2, TIMESTAMP '2024-01-31 18:00:00'),
    ( 7,  2, TIMESTAMP '2024-02-01 00:00:00'),
    ( 8,  2, TIMESTAMP '2024-02-02 10:00:00'),
    -- user 3: across New Year (3-day streak, 2 January comments)
    ( 9,  3, TIMESTAMP '2023-12-31 23:59:00'),
    (10,  3, TIMESTAMP '2024-01-01 00:01:00'),
    (11,  3, TIMESTAMP '2024-01-02 17:30:00'),
    -- user 4: December only (2-day streak, 0 January comments)
    (12,  4, TIMESTAMP '2023-12-10 10:00:00'),
    (13,  4, TIMESTAMP '2023-12-11 10:00:00'),
    -- user 5: never comments
    -- user 6: three times on 10 January, then 12 and 13 January (2-day streak, 5 comments)
    (14,  6, TIMESTAMP '2024-01-10 08:00:00'),
    (15,  6, TIMESTAMP '2024-01-10 12:00:00'),
    (16,  6, TIMESTAMP '2024-01-10 19:00:00'),
    (17,  6, TIMESTAMP '2024-01-12 09:30:00'),
    (18,  6, TIMESTAMP '2024-01-13 09:30:00'),
    -- user 7: 20 to 24 January (5-day streak, 5 comments)
    (19,  7, TIMESTAMP '2024-01-20 07:00:00'),
    (20,  7, TIMESTAMP '2024-01-21 07:00:00'),
    (21,  7, TIMESTAMP '2024-01-22 07:00:00'),
    (22,  7, TIMESTAMP '2024-01-23 07:00:00'),
    (23,  7, TIMESTAMP '2024-01-24 07:00:00'),
    -- user 8: once in January
    (24,  8, TIMESTAMP '2024-01-15 13:00:00'),
    -- user 9: 1 to 4 March (4-day streak, 0 January comments)
    (25,  9, TIMESTAMP '2024-03-01 08:00:00'),
    (26,  9, TIMESTAMP '2024-03-02 08:00:00'),
    (27,  9, TIMESTAMP '2024-03-03 08:00:00'),
    (28,  9, TIMESTAMP '2024-03-04 08:00:00'),
    -- user 10: February, not on consecutive days
    (29, 10, TIMESTAMP '2024-02-05 12:00:00'),
    (30, 10, TIMESTAMP '2024-02-07 12:00:00'),
    -- user 11: every other day in January (3 comments, no streak longer than 1)
    (31, 11, TIMESTAMP '2024-01-05 18:00:00'),
    (32, 11, TIMESTAMP '2024-01-07 18:00:00'),
    (33, 11, TIMESTAMP '2024-01-09 18:00:00'),
    -- user 12: exactly at both January boundaries (1 January comment)
    (34, 12, TIMESTAMP '2024-01-01 00:00:00'),
    (35, 12, TIMESTAMP '2024-02-01 00:00:00'),
    -- user 13: 27 to 29 January (3-day streak, 3 comments)
    (36, 13, TIMESTAMP '2024-01-27 11:00:00'),
    (37, 13, TIMESTAMP '2024-01-28 11:00:00'),
    (38, 13, TIMESTAMP '2024-01-29 11:00:00');
