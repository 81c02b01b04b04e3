"""Transfer between organs (转办) and the application filed for the applicant at the organ a
reply names responsible: a new case at the receiving organ, linked both ways."""
