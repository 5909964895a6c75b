-- One database per service: no service reads another's tables.
CREATE DATABASE crm_customers;
CREATE DATABASE crm_credit;
CREATE DATABASE crm_engagement;
CREATE DATABASE crm_loyalty;
