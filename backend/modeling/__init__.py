"""What training and serving share: the label set, text normalisation, the base model and the classifier."""
