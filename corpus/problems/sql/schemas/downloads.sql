-- Daily downloads per user, June 2024. Some dates have only free users, one only paying
-- users, one date has equal totals, and one row has NULL downloads.

CREATE TABLE downloads (
    user_id       INTEGER NOT NULL,
    download_date DATE NOT NULL,
    downloads     INTEGER,              -- NULL once: the count was not recorded
    account_type  VARCHAR NOT NULL      -- 'paying' or 'free'
);

INSERT INTO downloads VALUES
    (1, DATE '2024-06-01', 10, 'paying'),
    (2, DATE '2024-06-01',  4, 'free'),
    (3, DATE '2024-06-01',  5, 'free'),
    (3, DATE '2024-06-02',  6, 'free'),     -- 2 June: free users only
    (4, DATE '2024-06-02',  2, 'free'),
    (1, DATE '2024-06-03',  7, 'paying'),
    (2, DATE '2024-06-03',  3, 'free'),
    (4, DATE '2024-06-03',  4, 'free'),     -- 3 June: 7 against 7
    (1, DATE '2024-06-04',  3, 'paying'),
    (5, DATE '2024-06-04',  8, 'paying'),
    (2, DATE '2024-06-04', 12, 'free'),
    (5, DATE '2024-06-05', 20, 'paying'),   -- 5 June: paying users only
    (1, DATE '2024-06-06',  2, 'paying'),
    (5, DATE '2024-06-06', NULL, 'paying'),
    (3, DATE '2024-06-06',  3, 'free'),
    (4, DATE '2024-06-07',  1, 'free');     -- 7 June: free users only
