-- Deposits (positive) and withdrawals (negative) across three accounts, 27 February to
-- 8 March 2024 (a leap year). 29 February and 6 March have withdrawals only, 3 and 4 March
-- have no rows at all, one row has a zero amount, and several accounts deposit on the same day.

CREATE TABLE bank_transactions (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL,
    amount     DECIMAL(10, 2) NOT NULL,
    txn_date   DATE NOT NULL
);

INSERT INTO bank_transactions VALUES
    ( 1, 101,  300.00, DATE '2024-02-27'),
    ( 2, 102, -120.00, DATE '2024-02-27'),
    ( 3, 101,  150.00, DATE '2024-02-28'),
    ( 4, 103,   90.00, DATE '2024-02-28'),
    ( 5, 102,  -60.00, DATE '2024-02-29'),
    ( 6, 103,  600.00, DATE '2024-03-01'),
    ( 7, 101, -200.00, DATE '2024-03-01'),
    ( 8, 102,    0.00, DATE '2024-03-02'),
    ( 9, 101,   45.00, DATE '2024-03-02'),
    (10, 102,  240.00, DATE '2024-03-05'),
    (11, 103,  -80.00, DATE '2024-03-06'),
    (12, 101,  120.00, DATE '2024-03-07'),
    (13, 102,   60.00, DATE '2024-03-07'),
    (14, 103,  -30.00, DATE '2024-03-08'),
    (15, 101,   30.00, DATE '2024-03-08');
