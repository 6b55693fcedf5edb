-- One subscription per user, dates inclusive, end_date NULL while still active. Seeded with
-- periods that touch on a single day, periods that are adjacent but do not share a day, a
-- period inside another, two open-ended periods that only overlap each other, and an isolated
-- period.

CREATE TABLE subscriptions (
    user_id    INTEGER PRIMARY KEY,
    start_date DATE NOT NULL,
    end_date   DATE                 -- NULL: still active
);

INSERT INTO subscriptions VALUES
    ( 1, DATE '2024-01-01', DATE '2024-01-31'),
    ( 2, DATE '2024-01-31', DATE '2024-02-15'),   -- shares 31 January with user 1
    ( 3, DATE '2024-03-01', DATE '2024-03-10'),
    ( 4, DATE '2024-03-11', DATE '2024-03-20'),   -- starts the day after user 3 ends
    ( 5, DATE '2024-05-01', DATE '2024-12-31'),
    ( 6, DATE '2024-06-01', DATE '2024-06-30'),   -- inside user 5's period
    ( 7, DATE '2025-01-10', NULL),
    ( 8, DATE '2025-03-01', NULL),
    ( 9, DATE '2023-01-01', DATE '2023-02-01'),
    (10, DATE '2023-06-15', DATE '2023-06-15');   -- a single day, alone
