"""Forms of the cabinet app, one module per object type (like `views/` and
`models/`): `patients` (patient, médecin, ALD), `prescriptions`, `careplans`,
`tournees`; `common` holds the field checks they share."""
