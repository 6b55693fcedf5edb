-- exam_scores: one class, twelve students with a score and two absent (NULL), ties on several
-- scores including a tie of three that straddles a quartile boundary, and a repeated name.
-- sat_scores: several pairs tie on the smallest difference, one student is close to two
-- others, and one score is NULL.

CREATE TABLE exam_scores (
    student_id   INTEGER PRIMARY KEY,
    student_name VARCHAR NOT NULL,      -- names can repeat
    score        INTEGER                -- NULL: absent
);

CREATE TABLE sat_scores (
    id      INTEGER PRIMARY KEY,
    student VARCHAR NOT NULL,           -- unique
    school  VARCHAR NOT NULL,
    score   INTEGER                     -- NULL: no score on file
);

INSERT INTO exam_scores VALUES
    ( 1, 'Sam Lee',       88),
    ( 2, 'Ava Brooks',    95),
    ( 3, 'Noah Evans',    70),
    ( 4, 'Liam Foster',   98),
    ( 5, 'Emma Green',    88),
    ( 6, 'Olivia Hart',   NULL),
    ( 7, 'Mason Ito',     90),
    ( 8, 'Sam Lee',       75),
    ( 9, 'Zara Quinn',    95),
    (10, 'Ethan Price',   88),
    (11, 'Chloe Ward',    80),
    (12, 'Lucas Young',   70),
    (13, 'Isla Novak',    60),
    (14, 'Ruby Adams',    NULL);

INSERT INTO sat_scores VALUES
    ( 1, 'Zoe',    'Lincoln High',   1500),
    ( 2, 'Kim',    'Lincoln High',   1480),
    ( 3, 'Amy',    'Roosevelt High', 1490),
    ( 4, 'Ben',    'Roosevelt High', 1310),
    ( 5, 'Cal',    'Lincoln High',   1300),
    ( 6, 'Dev',    'Roosevelt High', 1200),
    ( 7, 'Eli',    'Lincoln High',   NULL),
    ( 8, 'Fay',    'Roosevelt High', 1050),
    ( 9, 'Gus',    'Lincoln High',   1115),
    (10, 'Hal',    'Roosevelt High', 1360);
