-- Purchases over seven consecutive months, November 2023 to May 2024, every month with at
-- least one purchase. Several purchases per month, a month where revenue falls, purchases on
-- the first and last instants of months and across New Year.

CREATE TABLE transactions (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    product_id INTEGER NOT NULL,
    amount     DECIMAL(10, 2) NOT NULL,    -- positive
    quantity   INTEGER,
    created_at TIMESTAMP NOT NULL          -- UTC
);

INSERT INTO transactions VALUES
    -- November 2023: 400.00
    ( 1, 1, 10, 150.00, 1, TIMESTAMP '2023-11-01 00:00:00'),
    ( 2, 2, 11, 250.00, 2, TIMESTAMP '2023-11-18 13:20:00'),
    -- December 2023: 500.00
    ( 3, 1, 12, 120.00, 1, TIMESTAMP '2023-12-03 09:00:00'),
    ( 4, 3, 10, 180.00, 1, TIMESTAMP '2023-12-20 17:45:00'),
    ( 5, 2, 11, 200.00, 3, TIMESTAMP '2023-12-31 23:59:59'),
    -- January 2024: 350.00
    ( 6, 4, 12, 100.00, 1, TIMESTAMP '2024-01-01 00:00:00'),
    ( 7, 1, 10, 250.00, 2, TIMESTAMP '2024-01-22 11:10:00'),
    -- February 2024: 420.00
    ( 8, 5, 11, 300.00, 1, TIMESTAMP '2024-02-14 19:00:00'),
    ( 9, 3, 12, 120.00, 1, TIMESTAMP '2024-02-29 23:00:00'),
    -- March 2024: 420.00 (no change)
    (10, 2, 10, 210.00, 2, TIMESTAMP '2024-03-01 08:00:00'),
    (11, 4, 10, 210.00, 2, TIMESTAMP '2024-03-30 08:00:00'),
    -- April 2024: 630.00
    (12, 1, 11, 330.00, 1, TIMESTAMP '2024-04-05 10:00:00'),
    (13, 5, 12, 100.00, 1, TIMESTAMP '2024-04-12 10:00:00'),
    (14, 6, 10, 200.00, 1, TIMESTAMP '2024-04-30 23:59:00'),
    -- May 2024: 210.00
    (15, 6, 11, 210.00, 1, TIMESTAMP '2024-05-01 00:00:00');
