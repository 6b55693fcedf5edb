-- Customers, their orders (one row per product bought; a basket is one customer on one
-- order_date) and the product catalogue. Seeded with orders on 31 December and 1 January,
-- customers who ordered in only one of 2023 and 2024 or reached six orders without three in
-- each year, a first day with two orders in different categories, an order placed before
-- sign-up, a customer with no orders, a product repeated within one basket, product ids whose
-- order differs from name order, and two products tied on revenue within a category.

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    signup_date DATE NOT NULL
);

CREATE TABLE products (
    id       INTEGER PRIMARY KEY,
    name     VARCHAR NOT NULL,          -- unique
    category VARCHAR NOT NULL,
    price    DECIMAL(10, 2) NOT NULL
);

CREATE TABLE orders (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL,
    product_id  INTEGER NOT NULL,
    quantity    INTEGER NOT NULL,
    order_date  DATE NOT NULL
);

INSERT INTO customers VALUES
    (1, 'Alice Martin', DATE '2022-11-05'),
    (2, 'Bruno Silva',  DATE '2023-01-10'),
    (3, 'Chen Wei',     DATE '2023-02-01'),
    (4, 'Divya Rao',    DATE '2024-01-15'),
    (5, 'Erik Olsen',   DATE '2022-06-01'),
    (6, 'Fatima Zahra', DATE '2024-03-01'),   -- never orders
    (7, 'Goran Novak',  DATE '2023-05-20'),   -- first order two days before sign-up
    (8, 'Hiro Tanaka',  DATE '2024-06-01');

INSERT INTO products VALUES
    (1, 'Wireless Mouse', 'Electronics', 25.00),
    (2, 'USB Cable',      'Electronics', 10.00),
    (3, 'Headphones',     'Electronics', 80.00),
    (4, 'Notebook',       'Stationery',   5.00),
    (5, 'Pen Set',        'Stationery',  12.00),
    (6, 'Desk Lamp',      'Home',        40.00),
    (7, 'Coffee Mug',     'Home',         8.00),
    (8, 'Bananas',        'Grocery',      2.00),
    (9, 'Coffee Beans',   'Grocery',     15.00);

INSERT INTO orders VALUES
    ( 1, 5, 4,  4, DATE '2023-01-01'),
    ( 2, 2, 4,  3, DATE '2023-01-12'),   -- Bruno's first day: Notebook has the smaller id,
    ( 3, 2, 1,  1, DATE '2023-01-12'),   -- then Wireless Mouse
    ( 4, 1, 1,  1, DATE '2023-02-10'),
    ( 5, 1, 2,  2, DATE '2023-02-10'),
    ( 6, 3, 4,  2, DATE '2023-02-15'),
    ( 7, 3, 5,  2, DATE '2023-02-15'),
    ( 8, 2, 5,  2, DATE '2023-03-03'),
    ( 9, 7, 7,  4, DATE '2023-05-18'),
    (10, 5, 1,  1, DATE '2023-06-06'),
    (11, 5, 2,  2, DATE '2023-06-06'),
    (12, 1, 3,  1, DATE '2023-07-04'),
    (13, 2, 8, 12, DATE '2023-08-08'),
    (14, 7, 8,  6, DATE '2023-09-09'),
    (15, 7, 9,  1, DATE '2023-09-09'),
    (16, 3, 7,  2, DATE '2023-10-10'),
    (17, 1, 8,  6, DATE '2023-12-31'),
    (18, 1, 9,  1, DATE '2023-12-31'),
    (19, 1, 1,  1, DATE '2024-01-01'),
    (20, 1, 2,  2, DATE '2024-01-01'),
    (21, 4, 1,  1, DATE '2024-01-20'),
    (22, 4, 2,  2, DATE '2024-01-20'),
    (23, 4, 3,  1, DATE '2024-01-20'),
    (24, 2, 8,  6, DATE '2024-02-02'),
    (25, 2, 9,  1, DATE '2024-02-02'),
    (26, 7, 8,  6, DATE '2024-02-29'),
    (27, 7, 9,  1, DATE '2024-02-29'),
    (28, 7, 4,  3, DATE '2024-02-29'),
    (29, 4, 8,  6, DATE '2024-03-15'),
    (30, 4, 9,  1, DATE '2024-03-15'),
    (31, 3, 6,  1, DATE '2024-04-04'),
    (32, 3, 7,  1, DATE '2024-04-04'),
    (33, 1, 8,  3, DATE '2024-05-05'),   -- Bananas twice in one basket
    (34, 1, 9,  1, DATE '2024-05-05'),
    (35, 1, 8,  3, DATE '2024-05-05'),
    (36, 8, 3,  1, DATE '2024-06-20'),   -- Hiro's later order has the smaller id
    (37, 8, 1,  1, DATE '2024-06-02'),
    (38, 8, 2,  2, DATE '2024-06-02'),
    (39, 5, 1,  1, DATE '2024-06-06'),
    (40, 5, 2,  2, DATE '2024-06-06'),
    (41, 1, 6,  1, DATE '2024-09-09'),
    (42, 4, 1,  1, DATE '2024-11-11'),
    (43, 5, 5,  1, DATE '2024-12-31'),
    (44, 3, 1,  1, DATE '2025-01-01');
