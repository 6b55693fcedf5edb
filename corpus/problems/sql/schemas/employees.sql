-- Employees and departments: a small company with a CEO, salary ties at the top and inside
-- departments, an employee paid exactly what their manager earns, an employee with no
-- department, contractors with NULL salary, two managers who share a name, two managers tied
-- for the largest team, and a department (Legal) with no employees.

CREATE TABLE departments (
    id   INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL
);

CREATE TABLE employees (
    id            INTEGER PRIMARY KEY,
    name          VARCHAR NOT NULL,
    salary        INTEGER,          -- NULL for contractors
    department_id INTEGER,          -- NULL while unassigned
    manager_id    INTEGER,          -- NULL for the CEO
    hire_date     DATE NOT NULL
);

INSERT INTO departments VALUES
    (1, 'Engineering'),
    (2, 'Sales'),
    (3, 'Marketing'),
    (4, 'Legal'),
    (5, 'Support');

INSERT INTO employees VALUES
    -- leadership
    ( 1, 'Ada Lovelace',  250000,    1, NULL, DATE '2015-03-01'),
    ( 2, 'Grace Hopper',  210000,    1,    1, DATE '2016-06-15'),
    ( 3, 'Sam Okafor',    180000,    2,    1, DATE '2016-09-01'),
    ( 4, 'Alex Kim',      150000,    3,    1, DATE '2017-01-09'),
    (18, 'Jo Marsh',       70000,    5,    1, DATE '2019-04-01'),
    -- Engineering, reporting to Grace Hopper (Linus ties the CEO's salary)
    ( 5, 'Linus Berg',    250000,    1,    2, DATE '2017-05-20'),
    ( 6, 'Mia Chen',      200000,    1,    2, DATE '2018-02-12'),
    ( 7, 'Omar Haddad',   200000,    1,    2, DATE '2018-08-30'),
    ( 8, 'Priya Nair',    180000,    1,    2, DATE '2020-01-06'),
    ( 9, 'Tom Reed',      180000,    1,    6, DATE '2021-11-15'),
    -- Sales, reporting to Sam Okafor; a second Alex Kim manages part of the team
    (10, 'Nina Ross',     120000,    2,    3, DATE '2019-07-01'),
    (11, 'Raj Patel',     190000,    2,    3, DATE '2018-03-19'),
    (15, 'Alex Kim',      130000,    2,    3, DATE '2020-10-05'),
    (12, 'Eve Stone',      95000,    2,   15, DATE '2022-02-14'),
    (16, 'Zoe Lane',      110000,    2,   15, DATE '2022-09-26'),
    (20, 'Dana Cruz',     140000, NULL,   15, DATE '2023-12-31'),
    -- Marketing, reporting to the first Alex Kim (Lena earns exactly her manager's salary)
    (13, 'Lena Voss',     150000,    3,    4, DATE '2019-12-02'),
    (14, 'Ivan Petrov',    90000,    3,    4, DATE '2021-01-04'),
    (17, 'Hana Sato',     160000,    3,    4, DATE '2020-06-08'),
    -- Support contractors without a salary on file
    (19, 'Kai Moreno',      NULL,    5,   18, DATE '2023-03-13'),
    (21, 'Lou Bennett',     NULL,    5,   18, DATE '2024-01-02');
