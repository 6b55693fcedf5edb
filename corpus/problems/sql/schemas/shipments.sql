-- Orders and their shipments; an order can be split across shipments. Seeded with an order
-- delivered at 18:00 on day 7, one delivered on day 8, orders with a delivered and a still
-- open shipment, a cancelled shipment next to a delivered one, an order whose only shipment was
-- cancelled, an order with no shipments, and windows across 29 February and New Year.

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    product_id  INTEGER NOT NULL,
    quantity    INTEGER NOT NULL,
    order_date  DATE NOT NULL
);

CREATE TABLE shipments (
    id           INTEGER PRIMARY KEY,
    order_id     INTEGER NOT NULL,
    status       VARCHAR NOT NULL,      -- 'pending', 'shipped', 'delivered' or 'cancelled'
    shipped_at   TIMESTAMP,
    delivered_at TIMESTAMP              -- set for every delivered shipment
);

INSERT INTO orders VALUES
    (101, 1, 10, 1, DATE '2024-03-01'),
    (102, 2, 11, 2, DATE '2024-03-01'),
    (103, 3, 12, 3, DATE '2024-03-02'),
    (104, 1, 13, 1, DATE '2024-03-03'),
    (105, 4, 10, 2, DATE '2024-03-05'),
    (106, 5, 11, 2, DATE '2024-03-05'),
    (107, 2, 12, 1, DATE '2024-03-10'),
    (108, 3, 13, 1, DATE '2024-03-10'),
    (109, 4, 10, 1, DATE '2024-02-27'),
    (110, 5, 11, 4, DATE '2024-12-28'),
    (111, 1, 12, 2, DATE '2024-03-15'),
    (112, 2, 13, 1, DATE '2024-03-20');

INSERT INTO shipments VALUES
    -- 101: one shipment, delivered at 18:00 on the seventh day
    ( 1, 101, 'delivered', TIMESTAMP '2024-03-02 09:00:00', TIMESTAMP '2024-03-08 18:00:00'),
    -- 102: one part delivered, one still pending
    ( 2, 102, 'delivered', TIMESTAMP '2024-03-02 09:00:00', TIMESTAMP '2024-03-03 14:00:00'),
    ( 3, 102, 'pending',   NULL,                            NULL),
    -- 103: delivered, plus a cancelled part
    ( 4, 103, 'delivered', TIMESTAMP '2024-03-02 16:00:00', TIMESTAMP '2024-03-04 11:00:00'),
    ( 5, 103, 'cancelled', NULL,                            NULL),
    -- 104: the only shipment was cancelled
    ( 6, 104, 'cancelled', NULL,                            NULL),
    -- 105: second part arrives on the eighth day
    ( 7, 105, 'delivered', TIMESTAMP '2024-03-06 08:00:00', TIMESTAMP '2024-03-07 12:00:00'),
    ( 8, 105, 'delivered', TIMESTAMP '2024-03-11 08:00:00', TIMESTAMP '2024-03-13 10:00:00'),
    -- 106: two parts, both delivered within the week
    ( 9, 106, 'delivered', TIMESTAMP '2024-03-05 20:00:00', TIMESTAMP '2024-03-06 15:00:00'),
    (10, 106, 'delivered', TIMESTAMP '2024-03-07 08:00:00', TIMESTAMP '2024-03-09 09:30:00'),
    -- 107: in transit
    (11, 107, 'shipped',   TIMESTAMP '2024-03-11 07:00:00', NULL),
    -- 108: no shipments yet
    -- 109: across 29 February, delivered on the seventh day
    (12, 109, 'delivered', TIMESTAMP '2024-02-28 10:00:00', TIMESTAMP '2024-03-05 09:00:00'),
    -- 110: across New Year, delivered on the seventh day
    (13, 110, 'delivered', TIMESTAMP '2024-12-30 10:00:00', TIMESTAMP '2025-01-04 23:45:00'),
    -- 111: one part delivered, one in transit
    (14, 111, 'delivered', TIMESTAMP '2024-03-15 12:00:00', TIMESTAMP '2024-03-16 10:00:00'),
    (15, 111, 'shipped',   TIMESTAMP '2024-03-16 12:00:00', NULL),
    -- 112: two deliveries, the last on the same day as the order plus 7
    (16, 112, 'delivered', TIMESTAMP '2024-03-21 09:00:00', TIMESTAMP '2024-03-22 09:00:00'),
    (17, 112, 'delivered', TIMESTAMP '2024-03-25 09:00:00', TIMESTAMP '2024-03-27 00:00:00');
