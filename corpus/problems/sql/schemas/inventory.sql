-- Restocks and sales for three products. Product 1 sells before its first restock, and at
-- 09:00 on 5 May a sale and a restock share a timestamp (the sale has the smaller id).
-- Product 2 has two restocks in a row, and product 3 is never restocked.

CREATE TABLE inventory_events (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL,
    event_type VARCHAR NOT NULL,        -- 'restock' or 'sale'
    quantity   INTEGER NOT NULL,
    event_at   TIMESTAMP NOT NULL
);

INSERT INTO inventory_events VALUES
    ( 1, 2, 'restock', 20, TIMESTAMP '2024-05-01 07:00:00'),
    ( 2, 2, 'sale',     3, TIMESTAMP '2024-05-01 08:00:00'),
    ( 3, 1, 'sale',     2, TIMESTAMP '2024-05-01 09:00:00'),
    ( 4, 1, 'sale',     1, TIMESTAMP '2024-05-01 15:00:00'),
    ( 5, 1, 'restock', 50, TIMESTAMP '2024-05-02 08:00:00'),
    ( 6, 1, 'sale',     5, TIMESTAMP '2024-05-02 10:00:00'),
    ( 7, 3, 'sale',     1, TIMESTAMP '2024-05-02 11:00:00'),
    ( 8, 2, 'sale',     2, TIMESTAMP '2024-05-02 16:00:00'),
    ( 9, 1, 'sale',     3, TIMESTAMP '2024-05-03 11:00:00'),
    (10, 2, 'restock', 10, TIMESTAMP '2024-05-03 12:00:00'),
    (11, 2, 'restock', 10, TIMESTAMP '2024-05-04 08:00:00'),
    (12, 2, 'sale',     1, TIMESTAMP '2024-05-04 12:00:00'),
    (13, 3, 'sale',     2, TIMESTAMP '2024-05-04 13:00:00'),
    (14, 1, 'sale',     4, TIMESTAMP '2024-05-05 09:00:00'),
    (15, 1, 'restock', 40, TIMESTAMP '2024-05-05 09:00:00'),
    (16, 1, 'sale',     6, TIMESTAMP '2024-05-05 12:00:00'),
    (17, 1, 'sale',     2, TIMESTAMP '2024-05-06 09:00:00'),
    (18, 3, 'sale',     4, TIMESTAMP '2024-05-06 10:00:00');
